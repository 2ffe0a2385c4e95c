//! The strict JSON check every request body passes before it is parsed for its endpoint:
//! no object names a member twice (`400 invalidSyntax`: a parser would silently keep one
//! of them, and two parsers may keep different ones), and no string holds a NUL character
//! (`400 invalidValue`: C libraries, databases and logs downstream cut strings there).
//!
//! The engine parses each request body once, with serde's streaming deserializer, and
//! makes these checks as it builds the JSON value its handler reads.

use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

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
/// holds `\u0000`. The engine makes the same checks on every request body as it parses
/// it; a host app can run them on JSON it takes from elsewhere.
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
    parse_strict(body).map(drop)
}

/// Parses `body` into a JSON value in the same pass that makes the checks of
/// [`check_strict_json`]: a request body is read once.
pub(crate) fn parse_strict(body: &[u8]) -> Result<Value, ScimError> {
    let fault = Cell::new(Fault::None);
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let outcome = Node { fault: &fault }
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    match (outcome, fault.get()) {
        (Ok(value), _) => Ok(value),
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

/// `name` in quotes, cut after 64 characters: an error names a member without echoing a
/// client's whole text back.
fn quoted(name: &str) -> String {
    const SHOWN: usize = 64;
    match name.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{:?}…", name.get(..end).unwrap_or_default()),
        None => format!("{name:?}"),
    }
}

/// The members room is first made for in an object: a SCIM object (a resource, a
/// complex value) rarely has more.
const MEMBERS_HINT: usize = 8;

/// One JSON value, checked as it is built.
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
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }
    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }
    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }
    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        // JSON text has no NaN or infinity: every number it holds is finite.
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Value, E> {
        self.string(text)?;
        Ok(Value::String(text.to_owned()))
    }
    fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Value, E> {
        self.string(&text)?;
        Ok(Value::String(text))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // The members are gathered first so that the map is made at its exact size, once:
        // grown member by member it would be allocated and rehashed several times, and
        // hold spare room that the canonicalization, which keeps it, would then store.
        let mut members = Vec::with_capacity(MEMBERS_HINT);
        while let Some(name) = map.next_key::<String>()? {
            self.string::<A::Error>(&name)?;
            let value = map.next_value_seed(self)?;
            members.push((name, value));
        }
        let mut object = Map::with_capacity(members.len());
        for (name, value) in members {
            // The map finds a repeated name as it inserts: no second index of names.
            match object.entry(name) {
                Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                Entry::Occupied(member) => {
                    self.fault.set(Fault::DuplicateMember);
                    return Err(A::Error::custom(format_args!(
                        "an object names the member {} twice",
                        quoted(member.key())
                    )));
                }
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::{check_strict_json as check, parse_strict};
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
    fn a_duplicate_is_named_in_the_error() {
        let detail = |body: &str| check(body.as_bytes()).unwrap_err().detail().to_owned();
        let twice = detail(r#"{"emails":[{"value":"a","type":"work","value":"b"}]}"#);
        assert!(twice.contains(r#"the member "value" twice"#), "{twice}");
        // A long name is cut, on a character boundary.
        let long = "é".repeat(100);
        let twice = detail(&format!(r#"{{"{long}":1,"{long}":2}}"#));
        assert!(
            twice.contains(&format!("\"{}\"…", "é".repeat(64))),
            "{twice}"
        );
        assert!(!twice.contains(&"é".repeat(65)), "{twice}");
    }

    /// A repeated member is found when its object has been read whole: a NUL further
    /// on in the same object is found first (both are `400`s; the CHANGELOG says so).
    #[test]
    fn a_nul_later_in_the_object_is_reported_before_a_duplicate() {
        assert_eq!(
            scim_type(r#"{"a":1,"a":2,"b":"x\u0000"}"#),
            Some(ScimType::InvalidValue)
        );
        assert_eq!(
            scim_type(r#"{"a":1,"a":2,"b":"x"}"#),
            Some(ScimType::InvalidSyntax)
        );
        // A duplicate in a nested object is found when that object closes, before
        // anything after it.
        assert_eq!(
            scim_type(r#"{"n":{"a":1,"a":2},"b":"x\u0000"}"#),
            Some(ScimType::InvalidSyntax)
        );
    }

    #[test]
    fn members_keep_their_order() {
        let members: Vec<String> = (0..13).map(|i| format!("\"m{}\":{i}", 12 - i)).collect();
        let value = parse_strict(format!("{{{}}}", members.join(",")).as_bytes()).unwrap();
        let names: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let expected: Vec<String> = (0..13).map(|i| format!("m{}", 12 - i)).collect();
        assert_eq!(names, expected);
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

    #[test]
    fn nesting_is_bounded() {
        // Deep enough for any resource; far past it, an error, not a stack overflow.
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse_strict(nested(100).as_bytes()).is_ok());
        let deep = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
        for body in [nested(100_000), deep] {
            assert_eq!(scim_type(&body), Some(ScimType::InvalidSyntax));
        }
    }

    #[test]
    fn the_value_is_the_one_serde_json_parses() {
        for body in [
            r#"{"a":1,"b":[{"a":-2.5},{"a":3e2}],"c":{"a":"\u0001é"},"d":null,"e":true}"#,
            r#"{"big":18446744073709551615,"neg":-9223372036854775808,"x":[]}"#,
            r#"{"a":{"b":{"c":1},"d":2},"e":[{"f":1,"g":{"h":2,"k":{}}},{"i":3}],"j":4}"#,
            "[]",
            r#""text""#,
        ] {
            let expected: serde_json::Value = serde_json::from_str(body).unwrap();
            let parsed = parse_strict(body.as_bytes()).unwrap();
            assert_eq!(parsed, expected, "{body}");
            // In the same order too (objects compare as maps).
            assert_eq!(parsed.to_string(), expected.to_string(), "{body}");
        }
    }
}
