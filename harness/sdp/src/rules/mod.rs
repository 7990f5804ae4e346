//! The SDP rules: what RFC 8866 and the WebRTC specifications require of a session
//! description, and of an offer and its answer.
//!
//! [`validate`] judges one description; [`check_offer_answer`] judges an exchange, and says
//! in each finding's [`Location::subject`](harness_core::rules::Location) whether it is about
//! the `offer` or the `answer`. Every section number below was looked up in the RFC text.
//!
//! Rules in the `sdp.jsep.*` family apply to WebRTC descriptions only: those that carry a
//! DTLS fingerprint, ICE credentials, or a DTLS-based protocol on an `m=` line.

pub mod cases;
mod document;
mod media;
mod offer_answer;

use harness_core::rules::{Finding, Location, Rule};

pub use cases::cases;
pub use offer_answer::{check_exchange, check_offer_answer, check_offer_answer_bytes};

use crate::view::{Line, Sdp};

harness_core::rules! {
    /// Every SDP rule.
    pub RULES;
    /// RFC 8866 §5: lines end with CRLF.
    SYNTAX_CRLF = ("sdp.syntax.crlf", 8866, "5", Must, Message,
        "lines end with CRLF (a bare LF is tolerated by parsers, but it is not the syntax)");
    /// RFC 8866 §5: `<type>=<value>`.
    SYNTAX_LINE_FORM = ("sdp.syntax.line-form", 8866, "5", Must, Message,
        "every line has the form <type>=<value> with a one-letter type");
    /// RFC 8866 §5: the session-level section starts with `v=`.
    SYNTAX_START = ("sdp.syntax.start", 8866, "5", Must, Message,
        "the description starts with its v= line (no byte order mark or blank line before it)");
    /// RFC 8866 §5: type letters are not extensible.
    SYNTAX_UNKNOWN_TYPE = ("sdp.syntax.unknown-type", 8866, "5", Must, Message,
        "only the type letters of RFC 8866 are used (a parser must ignore or reject the description otherwise)");
    /// RFC 8866 §5: text excludes NUL and CR.
    SYNTAX_TEXT_OCTETS = ("sdp.syntax.text-octets", 8866, "5", MustNot, Message,
        "values contain no NUL and no CR outside the CRLF terminator");
    /// RFC 8866 §5: UTF-8 unless a=charset says otherwise.
    SYNTAX_UTF8 = ("sdp.syntax.utf8", 8866, "5", Must, Message,
        "without a=charset, text is UTF-8");
    /// RFC 8866 §5: no whitespace either side of `=`.
    SYNTAX_SEPARATOR = ("sdp.syntax.separator", 8866, "5", Must, Message,
        "no whitespace around '=' and single spaces between the sub-fields of v=, o=, c=, t= and m=");
    /// RFC 8866 §5: session-level order.
    ORDER_SESSION = ("sdp.order.session", 8866, "5", Must, Message,
        "session-level lines appear in the order v o s i u e p c b t r z k a");
    /// RFC 8866 §5: media-level order.
    ORDER_MEDIA = ("sdp.order.media", 8866, "5", Must, Message,
        "media-level lines appear in the order m i c b k a");
    /// RFC 8866 §5.1: version 0.
    VERSION_ZERO = ("sdp.version.zero", 8866, "5.1", Must, Message,
        "the v= line gives version 0");
    /// RFC 8866 §5: `o=` is required.
    ORIGIN_PRESENT = ("sdp.origin.present", 8866, "5", Must, Message,
        "an o= line is present");
    /// RFC 8866 §5.2: six sub-fields.
    ORIGIN_SYNTAX = ("sdp.origin.syntax", 8866, "5.2", Must, Message,
        "o= has username, sess-id, sess-version, nettype, addrtype and unicast-address");
    /// RFC 8866 §9: `sess-id = 1*DIGIT`, `sess-version = 1*DIGIT`.
    ORIGIN_NUMERIC = ("sdp.origin.numeric", 8866, "9", Must, Message,
        "sess-id and sess-version are decimal digits");
    /// RFC 8829 §5.2.1: sess-id fits a signed 64-bit integer.
    ORIGIN_SESS_ID_RANGE = ("sdp.origin.sess-id-range", 8829, "5.2.1", Must, Message,
        "sess-id is representable by a 64-bit signed integer and below 2^63-1");
    /// RFC 8866 §5.3: exactly one `s=`.
    SESSION_NAME_ONE = ("sdp.session-name.one", 8866, "5.3", Must, Message,
        "there is one and only one s= line");
    /// RFC 8866 §5.3: `s=` not empty.
    SESSION_NAME_NONEMPTY = ("sdp.session-name.nonempty", 8866, "5.3", MustNot, Message,
        "the s= line is not empty (\"s= \" or \"s=-\" when there is no name)");
    /// RFC 8866 §5: at least one `t=`.
    TIMING_PRESENT = ("sdp.timing.present", 8866, "5", Must, Message,
        "at least one t= line is present");
    /// RFC 8866 §5.9: start and stop time.
    TIMING_SYNTAX = ("sdp.timing.syntax", 8866, "5.9", Must, Message,
        "t= is a decimal start time and stop time");
    /// RFC 8866 §5.12: `k=` is obsolete.
    KEY_OBSOLETE = ("sdp.key.obsolete", 8866, "5.12", MustNot, Message,
        "the obsolete k= line is not used");
    /// RFC 8866 §5: single lines.
    LINE_REPEATED = ("sdp.line.repeated", 8866, "5", Must, Message,
        "v, o, s, i, u, c, z and k appear at most once at session level; i and k at most once per media section");
    /// RFC 8866 §5.7: `c=` syntax.
    CONNECTION_SYNTAX = ("sdp.connection.syntax", 8866, "5.7", Must, Message,
        "c= is <nettype> <addrtype> <connection-address>");
    /// RFC 8866 §5.7: address matches its type.
    ADDRESS_TYPE = ("sdp.address.type", 8866, "5.7", Must, Message,
        "an IP literal in o= or c= matches its addrtype (IP4 or IP6)");
    /// RFC 8866 §5.7: connection data for every media section.
    CONNECTION_REQUIRED = ("sdp.connection.required", 8866, "5.7", Must, Message,
        "there is a c= line at session level or in every media section");
    /// RFC 8866 §5.14: `m=` syntax.
    MEDIA_SYNTAX = ("sdp.media.syntax", 8866, "5.14", Must, Message,
        "m= is <media> <port>[/<number of ports>] <proto> <fmt> ...");
    /// RFC 8866 §5.14: port range.
    MEDIA_PORT = ("sdp.media.port", 8866, "5.14", Must, Message,
        "the m= port is a decimal transport port, 0 to 65535");
    /// RFC 8866 §8.2.3: registered protocols.
    MEDIA_PROTO = ("sdp.media.proto", 8866, "8.2.3", Should, Message,
        "the m= proto is a registered transport protocol");
    /// RFC 8866 §5.13: attribute names are tokens.
    ATTRIBUTE_NAME = ("sdp.attribute.name", 8866, "5.13", Must, Message,
        "attribute names are tokens");
    /// RFC 8866 §6.6: rtpmap grammar.
    RTPMAP_SYNTAX = ("sdp.rtpmap.syntax", 8866, "6.6", Must, Message,
        "rtpmap is <payload type> <encoding name>/<clock rate>[/<encoding parameters>]");
    /// RFC 8866 §6.6: rtpmap maps a payload type of the m= line.
    RTPMAP_FORMAT = ("sdp.rtpmap.format", 8866, "6.6", Must, Message,
        "rtpmap maps a payload type listed on the m= line");
    /// RFC 8866 §5.14: dynamic payload types are mapped.
    RTPMAP_DYNAMIC = ("sdp.rtpmap.dynamic", 8866, "5.14", Should, Message,
        "every dynamic payload type (96-127) on an RTP m= line has an rtpmap");
    /// RFC 3550 §5.1: payload types are 7 bits.
    RTP_PAYLOAD_TYPE = ("sdp.rtp.payload-type", 3550, "5.1", Must, Message,
        "the formats of an RTP m= line are payload type numbers 0 to 127");
    /// RFC 8866 §6.15: fmtp names a format.
    FMTP_FORMAT = ("sdp.fmtp.format", 8866, "6.15", Must, Message,
        "fmtp gives parameters for a format listed on the m= line");
    /// RFC 8866 §6.7: one direction attribute.
    DIRECTION_SINGLE = ("sdp.direction.single", 8866, "6.7", Must, Message,
        "at most one of sendrecv, sendonly, recvonly, inactive per level");
    /// RFC 8829 §5.1.2: WebRTC profiles.
    JSEP_PROTO = ("sdp.jsep.proto", 8829, "5.1.2", Should, Message,
        "WebRTC RTP sections use UDP/TLS/RTP/SAVPF or TCP/DTLS/RTP/SAVPF, data sections UDP/DTLS/SCTP or TCP/DTLS/SCTP");
    /// RFC 8829 §5.2.1: every section has a mid.
    JSEP_MID = ("sdp.jsep.mid", 8829, "5.2.1", Must, Message,
        "every m= section of a WebRTC description carries an a=mid line");
    /// RFC 5761 §5.1.1 / RFC 8829 §5.2.1: rtcp-mux.
    JSEP_RTCP_MUX = ("sdp.jsep.rtcp-mux", 8829, "5.2.1", Must, Message,
        "every RTP m= section of a WebRTC description carries a=rtcp-mux");
    /// RFC 8829 §5.2.1: fingerprint.
    JSEP_FINGERPRINT = ("sdp.jsep.fingerprint", 8829, "5.2.1", Must, Message,
        "every DTLS m= section has an a=fingerprint (at media or session level)");
    /// RFC 8829 §5.2.1: setup.
    JSEP_SETUP = ("sdp.jsep.setup", 8829, "5.2.1", Must, Message,
        "every DTLS m= section has an a=setup (at media or session level)");
    /// RFC 8829 §5.2.1: bundle-only sections have port 0.
    JSEP_BUNDLE_ONLY_PORT = ("sdp.jsep.bundle-only-port", 8829, "5.2.1", Must, Message,
        "an m= section marked bundle-only has port 0");
    /// RFC 8829 §5.2.1: `c=` follows `m=`.
    JSEP_C_LINE = ("sdp.jsep.c-line", 8829, "5.2.1", Must, Message,
        "in a WebRTC description each m= line is followed immediately by a c= line");
    /// RFC 8839 §5.4: ufrag grammar.
    ICE_UFRAG = ("sdp.ice.ufrag", 8839, "5.4", Must, Message,
        "ice-ufrag is 4 to 256 ice-chars (ALPHA / DIGIT / + / /)");
    /// RFC 8839 §5.4: pwd grammar.
    ICE_PWD = ("sdp.ice.pwd", 8839, "5.4", Must, Message,
        "ice-pwd is 22 to 256 ice-chars");
    /// RFC 8839 §5.4: credentials for every data stream.
    ICE_CREDENTIALS = ("sdp.ice.credentials", 8839, "5.4", Must, Message,
        "with ICE, every data stream (not bundle-only, not rejected) has ice-ufrag and ice-pwd at media or session level");
    /// RFC 8839 §5.4: same ufrag, same pwd.
    ICE_UFRAG_PWD_CONSISTENT = ("sdp.ice.ufrag-pwd-consistent", 8839, "5.4", Must, Message,
        "data streams with identical ice-ufrags have identical ice-pwds");
    /// RFC 8839 §5.6: ice-options grammar.
    ICE_OPTIONS = ("sdp.ice.options", 8839, "5.6", Must, Message,
        "ice-options is a space-separated list of ice-char tags");
    /// RFC 8839 §5.3: ice-lite at session level.
    ICE_LITE_LEVEL = ("sdp.ice.lite-level", 8839, "5.3", Must, Message,
        "ice-lite is a session-level attribute only");
    /// RFC 8839 §5.1: candidate at media level.
    ICE_CANDIDATE_LEVEL = ("sdp.ice.candidate-level", 8839, "5.1", Must, Message,
        "candidate is a media-level attribute only");
    /// RFC 8839 §5.1: candidate grammar.
    ICE_CANDIDATE_SYNTAX = ("sdp.ice.candidate-syntax", 8839, "5.1", Must, Message,
        "candidate is <foundation> <component> <transport> <priority> <address> <port> typ <type> [raddr <a>] [rport <p>] *(<name> <value>)");
    /// RFC 8839 §5.1: foundation.
    ICE_FOUNDATION = ("sdp.ice.candidate-foundation", 8839, "5.1", Must, Message,
        "the candidate foundation is 1 to 32 ice-chars");
    /// RFC 8839 §5.1: component.
    ICE_COMPONENT = ("sdp.ice.candidate-component", 8839, "5.1", Must, Message,
        "the candidate component id is between 1 and 256");
    /// RFC 8839 §5.1: priority.
    ICE_PRIORITY = ("sdp.ice.candidate-priority", 8839, "5.1", Must, Message,
        "the candidate priority is between 1 and 2^31-1");
    /// RFC 8839 §5.1: related address.
    ICE_RELATED = ("sdp.ice.candidate-related", 8839, "5.1", Must, Message,
        "raddr and rport are present for srflx, prflx and relay candidates and omitted for host candidates");
    /// RFC 8839 §5.1: no FQDN.
    ICE_FQDN = ("sdp.ice.candidate-fqdn", 8839, "5.1", MustNot, Message,
        "a candidate address is an IP literal (or an mDNS .local name), not an FQDN");
    /// RFC 8839 §5.1: candidate types.
    ICE_CANDIDATE_TYPE = ("sdp.ice.candidate-type", 8839, "5.1", Should, Message,
        "the candidate type is host, srflx, prflx or relay");
    /// RFC 6544 §4.5: tcptype.
    ICE_TCPTYPE = ("sdp.ice.candidate-tcptype", 6544, "4.5", Must, Message,
        "a TCP candidate carries tcptype active, passive or so");
    /// RFC 8839 §5.2: remote-candidates grammar.
    ICE_REMOTE_CANDIDATES = ("sdp.ice.remote-candidates", 8839, "5.2", Must, Message,
        "remote-candidates is a list of <component> <address> <port> triples");
    /// RFC 8122 §5: fingerprint grammar.
    FINGERPRINT_SYNTAX = ("sdp.fingerprint.syntax", 8122, "5", Must, Message,
        "fingerprint is <hash-func> SP upper-case hex bytes separated by colons");
    /// RFC 8122 §5: hash names and lengths.
    FINGERPRINT_HASH = ("sdp.fingerprint.hash", 8122, "5", Must, Message,
        "the fingerprint's hash function is a registered name and the value has its digest length");
    /// RFC 8122 §5: no MD2/MD5.
    FINGERPRINT_WEAK = ("sdp.fingerprint.weak-hash", 8122, "5", MustNot, Message,
        "fingerprints are not computed with MD2 or MD5");
    /// RFC 4145 §4: setup values.
    SETUP_VALUE = ("sdp.setup.value", 4145, "4", Must, Message,
        "setup is active, passive, actpass or holdconn");
    /// RFC 9143 §2: identification tags are unique.
    MID_UNIQUE = ("sdp.mid.unique", 9143, "2", Must, Message,
        "each mid (identification-tag) is unique within the description");
    /// RFC 9143 §7.2: BUNDLE tags name sections.
    BUNDLE_MID_EXISTS = ("sdp.bundle.mid-exists", 9143, "7.2", Must, Message,
        "every identification tag of a BUNDLE group names the mid of an m= section");
    /// RFC 9143 §6: bundle-only within a group.
    BUNDLE_ONLY_GROUPED = ("sdp.bundle.only-grouped", 9143, "6", Must, Message,
        "bundle-only is used only in m= sections that are in a BUNDLE group");
    /// RFC 4585 §4.2: rtcp-fb payload type.
    RTCP_FB_FORMAT = ("sdp.rtcp-fb.format", 4585, "4.2", Must, Message,
        "rtcp-fb names a payload type of the m= line, or * for all");
    /// RFC 8285 §5: extmap id range.
    EXTMAP_ID = ("sdp.extmap.id", 8285, "5", Must, Message,
        "extmap ids are 1-14, or 16-255 when the two-byte form is allowed (extmap-allow-mixed)");
    /// RFC 8285 §5: ids once per section.
    EXTMAP_UNIQUE = ("sdp.extmap.unique", 8285, "5", Must, Message,
        "each extmap id is used only once per media section");
    /// RFC 5576 §4.1: ssrc grammar.
    SSRC_SYNTAX = ("sdp.ssrc.syntax", 5576, "4.1", Must, Message,
        "ssrc is <32-bit ssrc-id> <attribute>[:<value>]");
    /// RFC 5576 §4.2: grouped ssrcs are described.
    SSRC_GROUP_DEFINED = ("sdp.ssrc-group.defined", 5576, "4.2", Must, Message,
        "every ssrc-id of an ssrc-group has an a=ssrc line in the same section");
    /// RFC 8858 §4.2: rtcp-mux-only with rtcp-mux.
    RTCP_MUX_ONLY = ("sdp.rtcp-mux-only.with-mux", 8858, "4.2", Must, Message,
        "a section with rtcp-mux-only also carries rtcp-mux");
    /// RFC 8830 §2: msid grammar.
    MSID_SYNTAX = ("sdp.msid.syntax", 8830, "2", Must, Message,
        "msid is a 1-64 token-char id, optionally followed by appdata");
    /// RFC 8851 §10: rid grammar.
    RID_SYNTAX = ("sdp.rid.syntax", 8851, "10", Must, Message,
        "rid is <rid-id> send|recv with an id of letters, digits, - and _");
    /// RFC 8853 §5.2: simulcast uses defined rids.
    SIMULCAST_RID = ("sdp.simulcast.rid-defined", 8853, "5.2", MustNot, Message,
        "simulcast does not name rid-ids that have no a=rid line in the section");
    /// RFC 8841 §10.2: sctp-port for SCTP sections.
    SCTP_PORT_PRESENT = ("sdp.sctp.port-present", 8841, "10.2", Must, Message,
        "an SCTP-over-DTLS m= section carries a=sctp-port");
    /// RFC 8841 §5.2: sctp-port grammar.
    SCTP_PORT_SYNTAX = ("sdp.sctp.port-syntax", 8841, "5.2", Must, Message,
        "sctp-port is 1 to 5 digits, a port up to 65535");
    /// RFC 8841 §6.2: max-message-size grammar.
    SCTP_MAX_MESSAGE_SIZE = ("sdp.sctp.max-message-size", 8841, "6.2", Must, Message,
        "max-message-size is decimal digits");
    /// RFC 8841 §4.4.2: WebRTC data channel format.
    SCTP_FORMAT = ("sdp.sctp.format", 8841, "4.4.2", Must, Message,
        "a UDP/DTLS/SCTP or TCP/DTLS/SCTP m= line has the fmt webrtc-datachannel");
    /// RFC 3264 §6: as many m= lines.
    OA_MLINE_COUNT = ("sdp.oa.mline-count", 3264, "6", Must, Exchange,
        "the answer has exactly as many m= lines as the offer, in the same order");
    /// RFC 3264 §6.1: same media type.
    OA_MEDIA_TYPE = ("sdp.oa.media-type", 3264, "6.1", Must, Exchange,
        "the media type of each answered stream matches the offer's");
    /// RFC 8829 §5.3.1: same proto.
    OA_PROTO = ("sdp.oa.proto", 8829, "5.3.1", Must, Exchange,
        "the proto of each answer m= line exactly matches the offer's");
    /// RFC 3264 §8.2: rejected stays rejected.
    OA_REJECTED = ("sdp.oa.rejected", 3264, "8.2", Must, Exchange,
        "a stream offered with port 0 is answered with port 0");
    /// RFC 8829 §5.3.1: mids carried over.
    OA_MID = ("sdp.oa.mid", 8829, "5.3.1", Must, Exchange,
        "each answer m= section carries the mid of the offer's section");
    /// RFC 3264 §6.1: codecs from the offer.
    OA_CODECS = ("sdp.oa.codecs", 3264, "6.1", Must, Exchange,
        "an accepted RTP stream in the answer lists at least one format the offer listed");
    /// RFC 3264 §6.1: rtpmap for dynamic types in the answer.
    OA_ANSWER_RTPMAP = ("sdp.oa.answer-rtpmap", 3264, "6.1", Must, Exchange,
        "the answer maps every dynamic payload type it lists with rtpmap");
    /// RFC 3264 §6.1: direction.
    OA_DIRECTION = ("sdp.oa.direction", 3264, "6.1", Must, Exchange,
        "the answer's direction is allowed by the offer's (sendonly->recvonly/inactive, recvonly->sendonly/inactive, inactive->inactive)");
    /// RFC 8829 §5.2.1: the offer's setup is actpass.
    OA_SETUP_OFFER = ("sdp.oa.setup-offer", 8829, "5.2.1", Must, Exchange,
        "the offer's setup role is actpass");
    /// RFC 4145 §4.1: complementary roles.
    OA_SETUP_ANSWER = ("sdp.oa.setup-answer", 4145, "4.1", Must, Exchange,
        "the answer's setup role complements the offer's (actpass->active/passive, active->passive, passive->active; never actpass)");
    /// RFC 9143 §7.3: answer BUNDLE group within the offer's.
    OA_BUNDLE_SUBSET = ("sdp.oa.bundle-subset", 9143, "7.3", Must, Exchange,
        "the answer's BUNDLE group only contains mids that the offer's BUNDLE group contains");
    /// RFC 5761 §5.1.1: rtcp-mux in the answer only when offered.
    OA_RTCP_MUX = ("sdp.oa.rtcp-mux", 5761, "5.1.1", Must, Exchange,
        "the answer carries rtcp-mux only where the offer did, and where the offer demanded rtcp-mux-only (RFC 8858 §4.3)");
    /// RFC 8445 §6.1.1: both lite.
    OA_ICE_LITE = ("sdp.oa.ice-lite-both", 8445, "6.1.1", May, Exchange,
        "both sides are ICE lite: nobody runs full connectivity checks and the offerer must take the controlling role");
}

/// A location for a whole line.
pub(crate) fn at(line: &Line<'_>) -> Location {
    Location {
        bytes: Some(harness_core::rules::ByteRange {
            offset: line.span.start,
            len: line.span.len(),
        }),
        line: Some(line.number()),
        ..Location::default()
    }
}

/// Judges one session description given as bytes. An input that does not parse gives one
/// finding of [`SYNTAX_START`] (or none when it is empty: nothing to judge).
#[must_use]
pub fn validate(input: &[u8]) -> Vec<Finding> {
    match Sdp::parse(input) {
        Ok(sdp) => check(&sdp),
        Err(crate::view::ParseError::Empty) => Vec::new(),
        Err(e) => vec![Finding::new(
            &SYNTAX_START,
            Location::line(1),
            e.to_string(),
        )],
    }
}

/// Judges one parsed session description.
#[must_use]
pub fn check(sdp: &Sdp<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    document::check(sdp, &mut out);
    media::check(sdp, &mut out);
    out
}
