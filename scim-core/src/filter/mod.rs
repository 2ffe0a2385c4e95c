//! The filter language of RFC 7644 §3.4.2.2: AST, parser, evaluation and sorting.

pub(crate) mod ast;

pub use ast::{AttrPath, CompValue, CompareOp, Filter, PatchPath};

use std::fmt;
use std::str::FromStr;

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub_attribute {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

impl FromStr for AttrPath {
    type Err = String;

    // Provisional: replaced by the nom grammar in `parser`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (urn, rest) =
            if s.len() > 4 && s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
                match s.rfind(':') {
                    Some(i) => (Some(s[..i].to_owned()), &s[i + 1..]),
                    None => (None, s),
                }
            } else {
                (None, s)
            };
        let (name, sub) = match rest.split_once('.') {
            Some((n, sub)) => (n, Some(sub.to_owned())),
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(format!("empty attribute name in {s:?}"));
        }
        Ok(AttrPath {
            urn,
            name: name.to_owned(),
            sub_attribute: sub,
        })
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::String(s) => {
                write!(f, "{}", serde_json::Value::String(s.clone()))
            }
        }
    }
}
