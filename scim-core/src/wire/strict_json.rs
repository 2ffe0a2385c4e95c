//! The strict JSON check every request body passes before it is parsed for its endpoint:
//! no object names a member twice (`400 invalidSyntax`: a parser would silently keep one
//! of them, and two parsers may keep different ones), and no string holds a NUL character
//! (`400 invalidValue`: C libraries, databases and logs downstream cut strings there).
//!
//! One pass over the bytes with serde's streaming deserializer; nothing of the document
//! is kept but the member names of the objects currently open.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

use crate::error::ScimError;

/// Why a body failed the check, set by the visitor before it stops the parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    DuplicateMember,
    Nul,
}

/// Checks `body` (a whole JSON text): `400 invalidSyntax` when it is not JSON or an
/// object repeats a member name, `400 invalidValue` when a string (or a member name)
/// holds `\u0000`. The engine runs it on every request body; a host app can run it on
/// JSON it takes from elsewhere.
///
/// ```
/// use scim_core::{check_strict_json, error::ScimType};
/// assert!(check_strict_json(br#"{"userName":"bjensen"}"#).is_ok());
/// let twice = check_strict_json(br#"{"userName":"a","userName":"b"}"#).unwrap_err();
/// assert_eq!(twice.scim_type(), Some(ScimType::InvalidSyntax));
/// let nul = check_strict_json(br#"{"userName":"a\u0000b"}"#).unwrap_err();
/// assert_eq!(nul.scim_type(), Some(ScimType::InvalidValue));
/// ```
pub fn check_strict_json(body: &[u8]) -> Result<(), ScimError> {
    let fault = Cell::new(Fault::None);
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let outcome = Node { fault: &fault }
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    match (outcome, fault.get()) {
        (Ok(()), _) => Ok(()),
        (Err(e), Fault::DuplicateMember) => Err(ScimError::invalid_syntax(format!(
            "the body is not valid: {e}"
        ))),
        (Err(e), Fault::Nul) => Err(ScimError::invalid_value(format!(
            "the body is not valid: {e}"
        ))),
        (Err(e), Fault::None) => Err(ScimError::invalid_syntax(format!(
            "the body is not valid JSON: {e}"
        ))),
    }
}

/// One JSON value, checked and dropped.
#[derive(Clone, Copy)]
struct Node<'a> {
    fault: &'a Cell<Fault>,
}

impl Node<'_> {
    fn string<E: serde::de::Error>(self, text: &str) -> Result<(), E> {
        if text.contains('\0') {
            self.fault.set(Fault::Nul);
            return Err(E::custom("a string holds a NUL character (\\u0000)"));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<(), E> {
        self.string(text)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Objects are small in SCIM: a list beats a hash set until they are not. Names
        // without escapes are borrowed from the body, not copied.
        let mut names: Vec<Cow<'de, str>> = Vec::new();
        let mut index: Option<HashSet<Cow<'de, str>>> = None;
        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            self.string::<A::Error>(&name)?;
            let seen = match &mut index {
                Some(set) => !set.insert(name),
                None => {
                    let seen = names.contains(&name);
                    names.push(name);
                    if names.len() > 16 {
                        index = Some(names.drain(..).collect());
                    }
                    seen
                }
            };
            if seen {
                self.fault.set(Fault::DuplicateMember);
                return Err(A::Error::custom("an object names the same member twice"));
            }
            map.next_value_seed(self)?;
        }
        Ok(())
    }
}

/// A member name, borrowed from the body when it has no escapes (serde's own `Cow`
/// always copies).
struct Name<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(text.to_owned())))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::check_strict_json as check;
    use crate::error::ScimType;

    fn scim_type(body: &str) -> Option<ScimType> {
        check(body.as_bytes()).err().and_then(|e| e.scim_type())
    }

    #[test]
    fn plain_json_passes() {
        for body in [
            r#"{"a":1,"b":[{"a":2},{"a":3}],"c":{"a":"\u0001"}}"#,
            "[]",
            "null",
            r#""text""#,
        ] {
            assert!(check(body.as_bytes()).is_ok(), "{body}");
        }
    }

    #[test]
    fn duplicate_members_are_invalid_syntax() {
        assert_eq!(scim_type(r#"{"a":1,"a":2}"#), Some(ScimType::InvalidSyntax));
        assert_eq!(
            scim_type(r#"{"x":{"a":1,"a":2}}"#),
            Some(ScimType::InvalidSyntax)
        );
        assert_eq!(
            scim_type(r#"[{"a":"\u0061","a":1}]"#),
            Some(ScimType::InvalidSyntax)
        );
        // Escapes are compared decoded; case differs, so these two are distinct.
        assert_eq!(
            scim_type(r#"{"a":1,"\u0061":2}"#),
            Some(ScimType::InvalidSyntax)
        );
        assert!(check(br#"{"a":1,"A":2}"#).is_ok());
    }

    #[test]
    fn duplicates_in_large_objects_are_found() {
        let members: Vec<String> = (0..40).map(|i| format!("\"m{i}\":{i}")).collect();
        let body = format!("{{{},\"m3\":0}}", members.join(","));
        assert_eq!(scim_type(&body), Some(ScimType::InvalidSyntax));
        let body = format!("{{{}}}", members.join(","));
        assert!(check(body.as_bytes()).is_ok());
    }

    #[test]
    fn nul_is_invalid_value() {
        assert_eq!(
            scim_type(r#"{"a":"x\u0000y"}"#),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(scim_type(r#"{"a\u0000":1}"#), Some(ScimType::InvalidValue));
        assert_eq!(scim_type(r#"["\u0000"]"#), Some(ScimType::InvalidValue));
    }

    #[test]
    fn broken_json_is_invalid_syntax() {
        for body in ["{", r#"{"a":1} x"#, "", r#"{"a" 1}"#] {
            assert_eq!(scim_type(body), Some(ScimType::InvalidSyntax), "{body}");
        }
    }
}
