//! Certificate (RFC 5246 §7.4.2), ServerKeyExchange (§7.4.3), CertificateRequest (§7.4.4)
//! and Alert (§7.2).

use crate::codes::{AlertDescription, AlertLevel, NamedGroup};
use crate::error::DecodeError;
use crate::messages::extensions::U16List;
use crate::reader::Reader;

/// A DTLS 1.2 Certificate body: `ASN.1Cert certificate_list<0..2^24-1>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Certificate<'a> {
    /// The list, raw (without its length).
    pub list: &'a [u8],
}

impl<'a> Certificate<'a> {
    /// Parses a Certificate body and checks that the list frames.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the field that does not frame.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let list = r
            .vec24()
            .ok_or(DecodeError::Truncated("certificate.certificate_list"))?;
        if !r.is_empty() {
            return Err(DecodeError::TrailingData("certificate"));
        }
        let cert = Self { list };
        if cert.certificates().any(|c| c.is_none()) {
            return Err(DecodeError::Truncated("certificate.asn1_cert"));
        }
        Ok(cert)
    }

    /// The DER certificates; `None` marks a truncated entry (never after [`Self::parse`]).
    pub fn certificates(&self) -> impl Iterator<Item = Option<&'a [u8]>> + 'a {
        let mut r = Reader::new(self.list);
        let mut done = false;
        core::iter::from_fn(move || {
            if done || r.is_empty() {
                return None;
            }
            let c = r.vec24();
            done = c.is_none();
            Some(c)
        })
    }

    /// The leaf (first) certificate, DER.
    #[must_use]
    pub fn leaf(&self) -> Option<&'a [u8]> {
        self.certificates().next().flatten()
    }
}

/// A ServerKeyExchange body. Only the ECDHE named-curve layout (RFC 8422 §5.4) is read;
/// anything else is kept raw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerKeyExchange<'a> {
    /// The named group, when the body starts with `named_curve(3)`.
    pub group: Option<NamedGroup>,
    /// The public point, when the group was read.
    pub public: Option<&'a [u8]>,
    /// The whole body.
    pub raw: &'a [u8],
}

impl<'a> ServerKeyExchange<'a> {
    /// Reads what it can; never fails.
    #[must_use]
    pub fn parse(body: &'a [u8]) -> Self {
        let mut r = Reader::new(body);
        let ecdhe = (|| {
            if r.u8()? != 3 {
                return None;
            }
            let group = NamedGroup(r.u16()?);
            let public = r.vec8()?;
            Some((group, public))
        })();
        Self {
            group: ecdhe.map(|(g, _)| g),
            public: ecdhe.map(|(_, p)| p),
            raw: body,
        }
    }
}

/// A DTLS 1.2 (or 1.0) CertificateRequest body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateRequest<'a> {
    /// `certificate_types`.
    pub certificate_types: &'a [u8],
    /// `supported_signature_algorithms` (absent in the DTLS 1.0 layout).
    pub signature_algorithms: Option<U16List<'a>>,
    /// `certificate_authorities`, raw.
    pub authorities: &'a [u8],
}

impl<'a> CertificateRequest<'a> {
    /// Parses the DTLS 1.2 layout, then the DTLS 1.0 one.
    ///
    /// # Errors
    /// A [`DecodeError`] when neither layout frames.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        let v12 = (|| {
            let mut r = Reader::new(body);
            let certificate_types = r.vec8()?;
            let algs = U16List::new(r.vec16()?, "").ok()?;
            let authorities = r.vec16()?;
            r.is_empty().then_some(Self {
                certificate_types,
                signature_algorithms: Some(algs),
                authorities,
            })
        })();
        if let Some(v) = v12 {
            return Ok(v);
        }
        let mut r = Reader::new(body);
        let certificate_types = r.vec8().ok_or(DecodeError::Truncated(
            "certificate_request.certificate_types",
        ))?;
        let authorities = r
            .vec16()
            .ok_or(DecodeError::Truncated("certificate_request.authorities"))?;
        if !r.is_empty() {
            return Err(DecodeError::TrailingData("certificate_request"));
        }
        Ok(Self {
            certificate_types,
            signature_algorithms: None,
            authorities,
        })
    }
}

/// An Alert (RFC 5246 §7.2): two bytes. Only plaintext (epoch-0) alerts can be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// Level.
    pub level: AlertLevel,
    /// Description.
    pub description: AlertDescription,
}

impl Alert {
    /// Parses the first two bytes of an alert record's fragment; the rules judge extra bytes.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] below two bytes.
    pub fn parse(fragment: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(fragment);
        let level = AlertLevel(r.u8().ok_or(DecodeError::Truncated("alert.level"))?);
        let description =
            AlertDescription(r.u8().ok_or(DecodeError::Truncated("alert.description"))?);
        Ok(Self { level, description })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_certificate_list_and_its_leaf() {
        let body = [0, 0, 9, 0, 0, 2, 0xaa, 0xbb, 0, 0, 1, 0xcc];
        let c = Certificate::parse(&body).unwrap();
        assert_eq!(c.leaf(), Some(&[0xaa, 0xbb][..]));
        assert_eq!(c.certificates().count(), 2);
        assert!(Certificate::parse(&body[..11]).is_err());
    }

    #[test]
    fn reads_a_dtls_1_0_certificate_request() {
        let v10 = [1, 64, 0, 0];
        let cr = CertificateRequest::parse(&v10).unwrap();
        assert_eq!(cr.signature_algorithms, None);
        let v12 = [1, 64, 0, 2, 4, 3, 0, 0];
        let cr = CertificateRequest::parse(&v12).unwrap();
        assert_eq!(cr.signature_algorithms.map(|l| l.len()), Some(1));
    }

    #[test]
    fn reads_an_ecdhe_server_key_exchange() {
        let ske = ServerKeyExchange::parse(&[3, 0, 0x1d, 2, 9, 9, 4, 3]);
        assert_eq!(ske.group, Some(NamedGroup::X25519));
        assert_eq!(ske.public, Some(&[9, 9][..]));
    }
}
