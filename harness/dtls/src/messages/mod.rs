//! Plaintext handshake messages and alerts.
//!
//! [`HandshakeBody::parse`] reads a complete (reassembled) message body by type. Messages the
//! harness only needs to recognise (CertificateRequest, ServerKeyExchange, ServerHelloDone,
//! ClientKeyExchange, ...) are read as far as their framing goes and kept raw otherwise.

pub mod extensions;
pub mod hello;
pub mod other;

pub use hello::{ClientHello, HELLO_RETRY_REQUEST_RANDOM, HelloVerifyRequest, ServerHello};
pub use other::{Alert, Certificate, CertificateRequest, ServerKeyExchange};

use crate::codes::HandshakeType;
use crate::error::DecodeError;

/// A handshake message body, interpreted by type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandshakeBody<'a> {
    /// client_hello.
    ClientHello(ClientHello<'a>),
    /// server_hello (or a HelloRetryRequest: see [`ServerHello::is_hello_retry_request`]).
    ServerHello(ServerHello<'a>),
    /// hello_verify_request.
    HelloVerifyRequest(HelloVerifyRequest<'a>),
    /// certificate (DTLS 1.2 layout).
    Certificate(Certificate<'a>),
    /// server_key_exchange.
    ServerKeyExchange(ServerKeyExchange<'a>),
    /// certificate_request (DTLS 1.2 layout).
    CertificateRequest(CertificateRequest<'a>),
    /// server_hello_done; carries the body, which should be empty.
    ServerHelloDone(&'a [u8]),
    /// client_key_exchange: the exchange keys, raw (their layout depends on the suite).
    ClientKeyExchange(&'a [u8]),
    /// Any other type, raw.
    Other(HandshakeType, &'a [u8]),
}

impl<'a> HandshakeBody<'a> {
    /// Interprets `body` as a message of type `msg_type`.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the field that does not frame.
    pub fn parse(msg_type: HandshakeType, body: &'a [u8]) -> Result<Self, DecodeError> {
        Ok(match msg_type {
            HandshakeType::CLIENT_HELLO => Self::ClientHello(ClientHello::parse(body)?),
            HandshakeType::SERVER_HELLO => Self::ServerHello(ServerHello::parse(body)?),
            HandshakeType::HELLO_VERIFY_REQUEST => {
                Self::HelloVerifyRequest(HelloVerifyRequest::parse(body)?)
            }
            HandshakeType::CERTIFICATE => Self::Certificate(Certificate::parse(body)?),
            HandshakeType::SERVER_KEY_EXCHANGE => {
                Self::ServerKeyExchange(ServerKeyExchange::parse(body))
            }
            HandshakeType::CERTIFICATE_REQUEST => {
                Self::CertificateRequest(CertificateRequest::parse(body)?)
            }
            HandshakeType::SERVER_HELLO_DONE => Self::ServerHelloDone(body),
            HandshakeType::CLIENT_KEY_EXCHANGE => Self::ClientKeyExchange(body),
            other => Self::Other(other, body),
        })
    }
}
