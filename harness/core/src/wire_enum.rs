//! Open wire enums: code points that a registry names but the wire may carry any value of.
//!
//! A Rust `enum` cannot hold a value it does not list, so a parser built on one must either
//! reject an unknown code point or lose it. The [`open_enum!`](crate::open_enum) macro
//! declares instead a `Copy` newtype over the wire integer with one associated constant per
//! registered value (the idea of rustls' `enum_builder!`): unknown values survive parsing,
//! compare, hash and re-encode unchanged, and print in hex.
//!
//! # What the macro generates
//!
//! For `pub struct AttrType(u16) hex 4;` followed by `NAME = value => "text",` lines:
//!
//! * `pub struct AttrType(pub u16)` deriving `Clone, Copy, PartialEq, Eq, Hash, PartialOrd,
//!   Ord, Default`;
//! * one `pub const NAME: Self` per line, with the line's doc comment;
//! * `KNOWN: &[Self]` (every named value, in declaration order), `name() -> Option<&str>`
//!   (the registered text), `is_known()` and `get()` (the raw value), all `const`;
//! * `From<u16> for AttrType` and `From<AttrType> for u16`;
//! * `Display`: the registered text, or the value in hex zero-padded to the given number of
//!   digits (`0x00ab`); an optional `unknown_display("prefix", "suffix")` wraps the hex
//!   of unknown values (`unknown(0x63)`);
//! * `Debug`: `TEXT(0x0001)` for a named value and `AttrType(0xc0de)` for an unknown one;
//!   with `debug tuple` instead the form `#[derive(Debug)]` gives (`AttrType(1)`).
//!
//! ```
//! harness_core::open_enum! {
//!     /// An example registry.
//!     pub struct Colour(u16) hex 4;
//!     /// Red.
//!     RED = 0x0001 => "red",
//!     /// Green.
//!     GREEN = 0x0002 => "green",
//! }
//!
//! harness_core::open_enum! {
//!     /// Another, printed as the stock derive would and with a wrapped unknown value.
//!     pub struct Shape(u8) hex 2, unknown_display("unknown(", ")"), debug tuple;
//!     /// Circle.
//!     CIRCLE = 1 => "circle",
//! }
//!
//! assert_eq!(Colour::RED.name(), Some("red"));
//! assert_eq!(Colour::KNOWN, &[Colour::RED, Colour::GREEN]);
//! assert_eq!(Colour::from(0x0002), Colour::GREEN);
//! assert_eq!(u16::from(Colour(0xc0de)), 0xc0de);
//! assert!(!Colour(0xc0de).is_known());
//! assert_eq!(Colour::GREEN.to_string(), "green");
//! assert_eq!(Colour(0xc0de).to_string(), "0xc0de");
//! assert_eq!(format!("{:?}", Colour::RED), "red(0x0001)");
//! assert_eq!(format!("{:?}", Colour(0xab)), "Colour(0x00ab)");
//!
//! assert_eq!(Shape(99).to_string(), "unknown(0x63)");
//! assert_eq!(Shape::CIRCLE.to_string(), "circle");
//! assert_eq!(format!("{:?}", Shape::CIRCLE), "Shape(1)");
//! ```

/// Declares an open wire enum; see the [`wire_enum`](crate::wire_enum) module for what it
/// generates and an example.
///
/// ```text
/// open_enum! {
///     /// Doc comment and other attributes of the type.
///     pub struct Name(u16) hex 4 [, unknown_display("prefix", "suffix")] [, debug tuple];
///     /// Doc comment of the constant.
///     CONSTANT = 0x0001 => "registered text",
///     ...
/// }
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($repr:ty) hex $width:literal
            $(, unknown_display($prefix:literal, $suffix:literal))?
            $(, debug $debug:ident)?;
        $( $(#[$cmeta:meta])* $konst:ident = $value:literal => $text:literal, )+
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        $vis struct $name(pub $repr);

        impl $name {
            $( $(#[$cmeta])* pub const $konst: Self = Self($value); )+

            /// Every named value, in declaration order.
            pub const KNOWN: &'static [Self] = &[ $( Self::$konst ),+ ];

            /// The registered name, or `None` for a value this crate does not know.
            #[must_use]
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($text), )+
                    _ => None,
                }
            }

            /// True when the value has a registered name here.
            #[must_use]
            pub const fn is_known(self) -> bool {
                self.name().is_some()
            }

            /// The raw value.
            #[must_use]
            pub const fn get(self) -> $repr {
                self.0
            }
        }

        impl ::core::convert::From<$repr> for $name {
            fn from(v: $repr) -> Self {
                Self(v)
            }
        }

        impl ::core::convert::From<$name> for $repr {
            fn from(v: $name) -> Self {
                v.0
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => $crate::open_enum!(@unknown f, self.0, $width, $($prefix, $suffix)?),
                }
            }
        }

        $crate::open_enum!(@debug $name, $width, [$($debug)?]);
    };

    (@unknown $f:ident, $value:expr, $width:literal, ) => {
        write!($f, "0x{:0w$x}", $value, w = $width)
    };

    (@unknown $f:ident, $value:expr, $width:literal, $prefix:literal, $suffix:literal) => {
        write!($f, concat!($prefix, "0x{:0w$x}", $suffix), $value, w = $width)
    };

    (@debug $name:ident, $width:literal, []) => {
        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    Some(n) => write!(f, "{}(0x{:0w$x})", n, self.0, w = $width),
                    None => write!(f, "{}(0x{:0w$x})", stringify!($name), self.0, w = $width),
                }
            }
        }
    };

    (@debug $name:ident, $width:literal, [tuple]) => {
        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::open_enum! {
        /// Test registry.
        pub struct Code(u8) hex 2, unknown_display("unknown(", ")"), debug tuple;
        /// One.
        ONE = 1 => "one",
    }

    crate::open_enum! {
        /// Test registry with the default printing.
        pub struct Wide(u16) hex 3;
        /// Binding.
        BINDING = 0x001 => "Binding",
    }

    #[test]
    fn debug_tuple_matches_the_stock_derive_even_when_pretty() {
        #[derive(Debug)]
        struct Derived(#[allow(dead_code)] u8);
        assert_eq!(
            format!("{:?}", Code(7)),
            format!("{:?}", Derived(7)).replace("Derived", "Code")
        );
        assert_eq!(
            format!("{:#?}", Code(7)),
            format!("{:#?}", Derived(7)).replace("Derived", "Code")
        );
    }

    #[test]
    fn unknown_values_round_trip_and_print_in_padded_hex() {
        assert_eq!(Code::from(200).get(), 200);
        assert_eq!(Code(200).to_string(), "unknown(0xc8)");
        assert_eq!(Wide(0xabc).to_string(), "0xabc");
        assert_eq!(Wide(0x00a).to_string(), "0x00a");
        assert_eq!(format!("{:?}", Wide::BINDING), "Binding(0x001)");
        assert_eq!(format!("{:?}", Wide(0x0ab)), "Wide(0x0ab)");
        assert!(Wide::BINDING.is_known() && !Wide(2).is_known());
        assert_eq!(Wide::default(), Wide(0));
    }
}
