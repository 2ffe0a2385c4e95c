//! Canonical text of filters and paths: lower-case operators, JSON strings,
//! parentheses only where precedence needs them. The text parses back to an
//! equal AST.

use std::fmt::{self, Write};

use super::ast::{AttrPath, CompValue, CompareOp, Filter, PatchPath};

impl fmt::Display for AttrPath {
    /// `urn:…:name.sub`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            f.write_str(urn)?;
            f.write_char(':')?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub_attribute {
            f.write_char('.')?;
            f.write_str(sub)?;
        }
        Ok(())
    }
}

impl fmt::Display for CompareOp {
    /// The lower-case keyword.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CompValue {
    /// JSON text: `null`, `true`, a number, or an escaped string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::String(s) => write_json_string(f, s),
        }
    }
}

/// `s` as a JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped.
fn write_json_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            c if c < ' ' => "",
            _ => continue,
        };
        f.write_str(s.get(start..i).unwrap_or_default())?;
        if escaped.is_empty() {
            write!(f, "\\u{:04x}", u32::from(c))?;
        } else {
            f.write_str(escaped)?;
        }
        start = i + c.len_utf8();
    }
    f.write_str(s.get(start..).unwrap_or_default())?;
    f.write_char('"')
}

impl fmt::Display for Filter {
    /// Canonical filter text.
    ///
    /// ```
    /// use scim_core::Filter;
    /// let f: Filter = r#"(A EQ "x" OR b pr) AND NOT (c.d Gt 5)"#.parse().unwrap();
    /// assert_eq!(f.to_string(), r#"(A eq "x" or b pr) and not (c.d gt 5)"#);
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Compare { path, op, value } => write!(f, "{path} {op} {value}"),
            Filter::Present(path) => write!(f, "{path} pr"),
            Filter::And(operands) => write_chain(f, operands, " and ", |o| {
                matches!(o, Filter::And(_) | Filter::Or(_))
            }),
            Filter::Or(operands) => {
                write_chain(f, operands, " or ", |o| matches!(o, Filter::Or(_)))
            }
            Filter::Not(inner) => write!(f, "not ({inner})"),
            Filter::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}

/// Operands joined by `keyword`; those `needs_group` says would otherwise re-associate
/// are parenthesised (`and` binds tighter than `or`; a nested chain of the same
/// operator is a group).
fn write_chain(
    f: &mut fmt::Formatter<'_>,
    operands: &[Filter],
    keyword: &str,
    needs_group: impl Fn(&Filter) -> bool,
) -> fmt::Result {
    for (i, operand) in operands.iter().enumerate() {
        if i > 0 {
            f.write_str(keyword)?;
        }
        if needs_group(operand) {
            write!(f, "({operand})")?;
        } else {
            write!(f, "{operand}")?;
        }
    }
    Ok(())
}

impl fmt::Display for PatchPath {
    /// `attrPath`, or `attr[filter]` with an optional `.sub`.
    ///
    /// ```
    /// use scim_core::filter::PatchPath;
    /// let p: PatchPath = r#"emails[ TYPE EQ "work" ].value"#.parse().unwrap();
    /// assert_eq!(p.to_string(), r#"emails[TYPE eq "work"].value"#);
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attribute)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub_attribute {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}
