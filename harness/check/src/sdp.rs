//! Tying a capture to its session description: `--offer` and `--answer`.

use harness_core::credentials::Credential;
use harness_sdp::Sdp;

/// What one side's SDP says about its transport.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SideParams {
    /// `a=ice-ufrag`.
    pub ufrag: String,
    /// `a=ice-pwd`.
    pub pwd: String,
    /// Every `a=fingerprint` value, as written (`sha-256 AB:CD:...`).
    pub fingerprints: Vec<String>,
}

/// The offer and answer of the session the capture belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// From the offer.
    pub offer: SideParams,
    /// From the answer.
    pub answer: SideParams,
}

/// Why an SDP could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionError(pub String);

impl core::fmt::Display for SessionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SessionError {}

fn side(text: &str, which: &str) -> Result<SideParams, SessionError> {
    let sdp =
        Sdp::parse_str(text).map_err(|e| SessionError(format!("{which}: not an SDP ({e:?})")))?;
    let mut params = SideParams::default();
    let media: Vec<_> = sdp.media().collect();
    let all = sdp.attributes().chain(
        media
            .iter()
            .flat_map(|m| m.attributes().collect::<Vec<_>>()),
    );
    for attr in all {
        let Some(value) = attr.value else { continue };
        match attr.name {
            "ice-ufrag" if params.ufrag.is_empty() => params.ufrag = value.trim().to_string(),
            "ice-pwd" if params.pwd.is_empty() => params.pwd = value.trim().to_string(),
            "fingerprint" => {
                let v = value.trim().to_string();
                if !params.fingerprints.contains(&v) {
                    params.fingerprints.push(v);
                }
            }
            _ => {}
        }
    }
    if params.ufrag.is_empty() || params.pwd.is_empty() {
        return Err(SessionError(format!("{which}: no a=ice-ufrag / a=ice-pwd")));
    }
    Ok(params)
}

impl Session {
    /// Reads the offer and answer.
    ///
    /// # Errors
    /// When either is not an SDP or lacks ICE credentials.
    pub fn parse(offer: &str, answer: &str) -> Result<Self, SessionError> {
        Ok(Self {
            offer: side(offer, "offer")?,
            answer: side(answer, "answer")?,
        })
    }

    /// The two usernames connectivity checks may carry (RFC 8445 §7.2.2): `answer:offer`
    /// from the offerer, `offer:answer` from the answerer.
    #[must_use]
    pub fn usernames(&self) -> [String; 2] {
        [
            format!("{}:{}", self.answer.ufrag, self.offer.ufrag),
            format!("{}:{}", self.offer.ufrag, self.answer.ufrag),
        ]
    }

    /// Short-term credentials for both directions (the password is the receiver's).
    #[must_use]
    pub fn credentials(&self) -> Vec<Credential> {
        let [to_answerer, to_offerer] = self.usernames();
        vec![
            Credential::short_term(to_answerer, self.answer.pwd.clone()),
            Credential::short_term(to_offerer, self.offer.pwd.clone()),
        ]
    }

    /// Every fingerprint of either side.
    #[must_use]
    pub fn fingerprints(&self) -> Vec<String> {
        self.offer
            .fingerprints
            .iter()
            .chain(&self.answer.fingerprints)
            .cloned()
            .collect()
    }
}
