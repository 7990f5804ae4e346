//! Endpoints attached to hosts, behind one object-safe trait.

use core::any::Any;
use core::fmt::Debug;

use harness_core::endpoint::{Endpoint, Input, Output, Socket};

/// An [`Endpoint`] with its events turned into text (via `Debug`), so endpoints of any type
/// can live side by side on simulated hosts. Implemented for every `Endpoint + 'static`.
pub trait HostedEndpoint: Any {
    /// See [`Endpoint::handle_input`].
    fn handle_input(&mut self, input: Input<'_>);
    /// See [`Endpoint::poll_output`]; events are formatted with `{:?}`.
    fn poll_output(&mut self) -> Output<String>;
    /// See [`Endpoint::sockets`].
    fn sockets(&self) -> Vec<Socket>;
    /// For downcasting to the concrete endpoint (to read its results after a run).
    fn as_any(&self) -> &dyn Any;
    /// For downcasting to the concrete endpoint.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<E> HostedEndpoint for E
where
    E: Endpoint + 'static,
    E::Event: Debug,
{
    fn handle_input(&mut self, input: Input<'_>) {
        Endpoint::handle_input(self, input);
    }

    fn poll_output(&mut self) -> Output<String> {
        match Endpoint::poll_output(self) {
            Output::Transmit(t) => Output::Transmit(t),
            Output::Event(e) => Output::Event(format!("{e:?}")),
            Output::Bind(s) => Output::Bind(s),
            Output::Unbind(s) => Output::Unbind(s),
            Output::Tcp(c) => Output::Tcp(c),
            Output::Timeout(t) => Output::Timeout(t),
            // `Idle`, and any output a newer harness-core adds that this driver does not know.
            _ => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        Endpoint::sockets(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
