//! The lexical rules of the filter grammar: numbers, JSON strings, attribute names and
//! paths, and the token scanners the structural rules share.

use nom::Parser;
use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{char, digit0, digit1, one_of, satisfy};
use nom::combinator::opt;

use super::super::ast::AttrPath;
use super::super::error::{Error, PResult, backtrack, fail};

/// `number = [ minus ] int [ frac ] [ exp ]` (RFC 7159 §6), as a `serde_json::Number`:
/// integers exact, others the nearest `f64`.
pub(crate) fn number(i: &str) -> PResult<'_, serde_json::Number> {
    let (rest, text) = recognized((
        opt(char('-')),
        alt((
            tag("0"),
            recognized((satisfy(|c| matches!(c, '1'..='9')), digit0)),
        )),
        opt((char('.'), digit1)),
        opt((one_of("eE"), opt(one_of("+-")), digit1)),
    ))
    .parse(i)?;
    // Integers stay exact; other numbers go through Rust's correctly rounded float
    // parser, so that displaying and re-parsing gives back the same value.
    let integer = !text.contains(['.', 'e', 'E']);
    let n = if let (true, Ok(n)) = (integer, text.parse::<i64>()) {
        Some(n.into())
    } else if let (true, Ok(n)) = (integer, text.parse::<u64>()) {
        Some(n.into())
    } else {
        text.parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
    };
    match n {
        Some(n) => Ok((rest, n)),
        None => fail(i, "a number within range"),
    }
}

/// `string = quotation-mark *char quotation-mark` (RFC 7159 §7), unescaped,
/// including `\uXXXX` surrogate pairs.
pub(crate) fn string(i: &str) -> PResult<'_, String> {
    let Some(body) = i.strip_prefix('"') else {
        return backtrack(i, "a quoted string");
    };
    // Fast path: no escape before the closing quote (the common case).
    match body.bytes().position(|b| b == b'"' || b == b'\\') {
        Some(end) if body.as_bytes().get(end) == Some(&b'"') => {
            let text = body.get(..end).unwrap_or_default();
            return Ok((body.get(end + 1..).unwrap_or_default(), text.to_owned()));
        }
        Some(_) => {}
        None => {
            return fail(
                body.get(body.len()..).unwrap_or_default(),
                "a closing quotation mark",
            );
        }
    }
    let mut out = String::new();
    let mut start = 0;
    let mut chars = body.char_indices();
    let at = |pos: usize| body.get(pos..).unwrap_or_default();
    while let Some((pos, c)) = chars.next() {
        match c {
            '"' => {
                out.push_str(body.get(start..pos).unwrap_or_default());
                return Ok((at(pos + 1), out));
            }
            '\\' => {
                out.push_str(body.get(start..pos).unwrap_or_default());
                let unescaped = match chars.next() {
                    Some((_, '"')) => '"',
                    Some((_, '\\')) => '\\',
                    Some((_, '/')) => '/',
                    Some((_, 'b')) => '\u{8}',
                    Some((_, 'f')) => '\u{c}',
                    Some((_, 'n')) => '\n',
                    Some((_, 'r')) => '\r',
                    Some((_, 't')) => '\t',
                    Some((u, 'u')) => {
                        let (c, len) = unicode_escape(body, u + 1)?;
                        for _ in 0..len {
                            chars.next();
                        }
                        c
                    }
                    _ => return fail(at(pos), "a valid escape sequence"),
                };
                out.push(unescaped);
                start = chars.clone().next().map_or(body.len(), |(p, _)| p);
            }
            _ => {}
        }
    }
    fail(at(body.len()), "a closing quotation mark")
}

/// The character of `\uXXXX` (or of a `\uD83D\uDE00` surrogate pair) whose hex digits
/// start at `pos`, and how many bytes after `pos` it spans.
pub(super) fn unicode_escape(body: &str, pos: usize) -> Result<(char, usize), nom::Err<Error<'_>>> {
    const EXPECTED: &str = "four hex digits of a valid \\u escape";
    let err = |p: usize| nom::Err::Failure(Error::new(body.get(p..).unwrap_or_default(), EXPECTED));
    let hex = |p: usize| -> Option<u32> {
        let digits = body.get(p..p + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    };
    let high = hex(pos).ok_or_else(|| err(pos))?;
    if !(0xD800..0xDC00).contains(&high) {
        return char::from_u32(high).map(|c| (c, 4)).ok_or_else(|| err(pos));
    }
    // A high surrogate must be followed by `\u` and a low surrogate.
    let low = body
        .get(pos + 4..pos + 6)
        .filter(|s| *s == "\\u")
        .and_then(|_| hex(pos + 6))
        .filter(|low| (0xDC00..0xE000).contains(low))
        .ok_or_else(|| err(pos + 4))?;
    let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        .ok_or_else(|| err(pos))?;
    Ok((c, 10))
}

/// `attrPath = [URI ":"] ATTRNAME *1subAttr`
///
/// The URI is everything up to the last `:` of the path, since schema URNs
/// contain dots and digits (`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName`).
pub(crate) fn attr_path(i: &str) -> PResult<'_, AttrPath> {
    // One pass finds both the end of the path and its last colon.
    let mut end = i.len();
    let mut last_colon = None;
    for (k, b) in i.bytes().enumerate() {
        if is_delimiter(b) {
            end = k;
            break;
        }
        if b == b':' {
            last_colon = Some(k);
        }
    }
    let (Some(token), Some(rest)) = (i.get(..end), i.get(end..)) else {
        return backtrack(i, "an attribute path");
    };
    if token.is_empty() {
        return backtrack(i, "an attribute path");
    }
    let (urn, tail) = match last_colon {
        Some(colon) => {
            let urn = token.get(..colon).unwrap_or_default();
            if !urn.starts_with(|c: char| c.is_ascii_alphabetic()) {
                return fail(i, "a schema URI starting with a letter");
            }
            (Some(urn), token.get(colon + 1..).unwrap_or_default())
        }
        None => (None, token),
    };
    let (after, name) = match attr_name(tail) {
        Ok(ok) => ok,
        Err(_) if urn.is_none() => return backtrack(i, "an attribute path"),
        Err(e) => return Err(into_failure(e)),
    };
    let (after, sub) = if after.starts_with('.') {
        let (after, sub) = sub_attr(after)?;
        (after, Some(sub))
    } else {
        (after, None)
    };
    if !after.is_empty() {
        // Report the offending character within the whole input.
        let at = i.get(token.len() - after.len()..).unwrap_or(i);
        return fail(
            at,
            "a name character, \".\" and a sub-attribute, or a space",
        );
    }
    let path = AttrPath {
        urn: urn.map(str::to_owned),
        name: name.to_owned(),
        sub_attribute: sub.map(str::to_owned),
    };
    Ok((rest, path))
}

/// `ATTRNAME = ALPHA *(nameChar)`
///
/// A leading `$` is also accepted, for `$ref` (RFC 7643 §2.4).
pub(crate) fn attr_name(i: &str) -> PResult<'_, &str> {
    // Byte scan: every character of a name is ASCII, so a byte length is a char boundary.
    let bytes = i.as_bytes();
    if !bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'$')
    {
        return backtrack(i, "an attribute name");
    }
    let len = 1 + bytes
        .iter()
        .skip(1)
        .take_while(|b| is_name_byte(**b))
        .count();
    match (i.get(..len), i.get(len..)) {
        (Some(name), Some(rest)) => Ok((rest, name)),
        _ => backtrack(i, "an attribute name"),
    }
}

/// `nameChar = "-" / "_" / DIGIT / ALPHA`
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the RFC rule; `attr_name` scans bytes with its byte form, `is_name_byte`"
    )
)]
pub(crate) fn name_char(i: &str) -> PResult<'_, char> {
    satisfy(is_name_char)(i)
}

pub(super) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

pub(super) fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// `subAttr = "." ATTRNAME`
pub(crate) fn sub_attr(i: &str) -> PResult<'_, &str> {
    let Some(rest) = i.strip_prefix('.') else {
        return backtrack(i, "\".\" and a sub-attribute");
    };
    attr_name(rest).map_err(into_failure)
}

/// Bytes that end an attribute path or a bare value (all ASCII, so never inside a
/// multi-byte character).
pub(super) fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' | b'[' | b']' | b'"'
    )
}

/// The longest prefix of `i` without a delimiter, and what follows it.
pub(super) fn token(i: &str) -> (&str, &str) {
    let end = i.bytes().position(is_delimiter).unwrap_or(i.len());
    match (i.get(end..), i.get(..end)) {
        (Some(rest), Some(token)) => (rest, token),
        _ => (i, ""),
    }
}

/// Skips the whitespace nom's `multispace0` skips (SP, HTAB, CR, LF), byte by byte.
pub(super) fn spaces(i: &str) -> &str {
    let n = i
        .bytes()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .count();
    i.get(n..).unwrap_or(i)
}

/// A case-insensitive keyword (`and`, `or`, `not`, `pr`) not followed by a name character.
pub(super) fn word<'a>(i: &'a str, keyword: &'static str) -> PResult<'a, &'a str> {
    // Compare bytes first: most calls fail on the first byte, before any slicing.
    let (bytes, len) = (i.as_bytes(), keyword.len());
    let matched = bytes
        .get(..len)
        .is_some_and(|w| w.eq_ignore_ascii_case(keyword.as_bytes()))
        && !bytes.get(len).copied().is_some_and(is_name_byte);
    match (matched, i.get(..len), i.get(len..)) {
        (true, Some(w), Some(rest)) => Ok((rest, w)),
        _ => backtrack(i, keyword),
    }
}

/// The input `parser` consumed. (nom 8's `recognize` measures the consumed length
/// by pointer offset, which breaks when a sub-parser returns an empty slice that is
/// not a sub-slice of the input, as `digit0` does at the end of the input.)
pub(super) fn recognized<'a, O>(
    mut parser: impl Parser<&'a str, Output = O, Error = Error<'a>>,
) -> impl Parser<&'a str, Output = &'a str, Error = Error<'a>> {
    move |i: &'a str| {
        let (rest, _) = parser.parse(i)?;
        let text = i
            .get(..i.len().saturating_sub(rest.len()))
            .unwrap_or_default();
        Ok((rest, text))
    }
}

pub(super) fn into_failure(e: nom::Err<Error<'_>>) -> nom::Err<Error<'_>> {
    match e {
        nom::Err::Error(e) => nom::Err::Failure(e),
        other => other,
    }
}
