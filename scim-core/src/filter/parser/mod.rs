//! The filter grammar of RFC 7644 §3.4.2.2 (Figure 1) and the PATCH path of §3.5.2,
//! one `nom` function per ABNF rule, named after the rule.
//!
//! Rules that recurse take a [`Cx`] that enforces the nesting and clause limits of
//! [`FilterOptions`] as they are reached, so no input can overflow the stack or
//! grow an allocation past the limits.

use std::cell::Cell;
use std::str::FromStr;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while};
use nom::character::complete::{char, digit0, digit1, multispace0, multispace1, one_of, satisfy};
use nom::combinator::{all_consuming, opt};
use nom::multi::fold_many0;
use nom::sequence::delimited;
use nom::{Finish, Parser};

use super::ast::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
use super::error::{Error, Expected, PResult, ParseError, backtrack, fail};
use super::options::FilterOptions;

#[cfg(test)]
mod tests;

/// Parsing state shared by the recursive rules: the options and the limits' counters.
pub(crate) struct Cx<'o> {
    opts: &'o FilterOptions,
    depth: Cell<usize>,
    clauses: Cell<usize>,
}

impl<'o> Cx<'o> {
    pub(crate) fn new(opts: &'o FilterOptions) -> Self {
        Self {
            opts,
            depth: Cell::new(0),
            clauses: Cell::new(0),
        }
    }

    /// Enters a parenthesis, `not` or value path; fails past `max_depth`.
    fn enter<'a>(&self, at: &'a str) -> PResult<'a, ()> {
        let depth = self.depth.get().saturating_add(1);
        if depth > self.opts.max_depth {
            return Err(nom::Err::Failure(Error {
                input: at,
                expected: Expected::Depth(self.opts.max_depth),
            }));
        }
        self.depth.set(depth);
        Ok((at, ()))
    }

    fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    /// Counts one attrExp; fails past `max_clauses`, before the operand lists grow.
    fn count_clause<'a>(&self, at: &'a str) -> PResult<'a, ()> {
        let clauses = self.clauses.get().saturating_add(1);
        if clauses > self.opts.max_clauses {
            return Err(nom::Err::Failure(Error {
                input: at,
                expected: Expected::Clauses(self.opts.max_clauses),
            }));
        }
        self.clauses.set(clauses);
        Ok((at, ()))
    }
}

/// Whether value paths are allowed: FILTER has them, valFilter (inside `[...]`) does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Filter,
    ValFilter,
}

/// `FILTER = attrExp / logExp / valuePath / *1"not" "(" valFilter ")"`
///
/// Every alternative is reached through [`log_exp`], which handles precedence.
pub(crate) fn filter<'a>(i: &'a str, cx: &Cx<'_>) -> PResult<'a, Filter> {
    log_exp(i, cx, Scope::Filter)
}

/// `valFilter = attrExp / logExp / *1"not" "(" valFilter ")"`
pub(crate) fn val_filter<'a>(i: &'a str, cx: &Cx<'_>) -> PResult<'a, Filter> {
    log_exp(i, cx, Scope::ValFilter)
}

/// `logExp = FILTER SP ("and" / "or") SP FILTER`
///
/// `and` binds tighter than `or` (RFC 7644 §3.4.2.2, Table 5). A chain of one
/// operator at one level becomes one n-ary node; a parenthesised group stays a
/// nested node, so that display and parsing round-trip.
pub(crate) fn log_exp<'a>(i: &'a str, cx: &Cx<'_>, scope: Scope) -> PResult<'a, Filter> {
    chain(i, "or", |i| chain(i, "and", |i| term(i, cx, scope)))
}

/// `operand *(SP keyword SP operand)`, n-ary when there are two operands or more.
fn chain<'a>(
    i: &'a str,
    keyword: &'static str,
    mut operand: impl FnMut(&'a str) -> PResult<'a, Filter>,
) -> PResult<'a, Filter> {
    let (mut i, first) = operand(i)?;
    let mut first = Some(first);
    // Grows by one operand per clause parsed, so `max_clauses` bounds it.
    let mut operands: Vec<Filter> = Vec::new();
    loop {
        let (rest, _) = multispace0(i)?;
        let Ok((rest, _)) = word(rest, keyword) else {
            break;
        };
        let (rest, _) = multispace0(rest)?;
        let (rest, next) = operand(rest)?;
        operands.extend(first.take());
        operands.push(next);
        i = rest;
    }
    let node = match first {
        Some(single) => single,
        None if keyword == "and" => Filter::And(operands),
        None => Filter::Or(operands),
    };
    Ok((i, node))
}

/// One operand of a logExp: a parenthesised group, `not (...)`, a valuePath or an attrExp.
fn term<'a>(i: &'a str, cx: &Cx<'_>, scope: Scope) -> PResult<'a, Filter> {
    if let Some(rest) = i.strip_prefix('(') {
        return group(rest, cx, scope);
    }
    if let Ok((rest, _)) = word(i, "not") {
        let (after, _) = multispace0(rest)?;
        if let Some(inner) = after.strip_prefix('(') {
            let (rest, f) = group(inner, cx, scope)?;
            return Ok((rest, Filter::Not(Box::new(f))));
        }
        // `not` followed by an operator, `[`, `.` or `:` is an attribute path; anything else
        // is `not` without its parentheses, which RFC 7644 requires.
        let path_goes_on = rest.starts_with(['.', ':', '[']);
        if !path_goes_on && compare_op(after).is_err() && word(after, "pr").is_err() {
            return fail(after, "\"(\" after \"not\"");
        }
    }
    let (rest, path) = match attr_path(i) {
        Ok(ok) => ok,
        Err(nom::Err::Error(e)) if e.input.len() == i.len() => {
            return fail(i, "an attribute path, \"(\" or \"not\"");
        }
        Err(e) => return Err(e),
    };
    let (after, _) = multispace0(rest)?;
    if after.starts_with('[') {
        if scope == Scope::ValFilter {
            return fail(
                after,
                "a comparison operator or \"pr\" (value paths do not nest)",
            );
        }
        let (rest, inner) = value_path_filter(after, &path, cx)?;
        if cx.opts.value_path_comparison && rest.starts_with('.') {
            // Entra ID: `emails[type eq "work"].value eq "x"` means "some element with
            // type work has that value" (outside the RFC grammar).
            let (rest, sub) = sub_attr(rest)?;
            let (rest, comparison) = attr_exp_rest(rest, AttrPath::new(sub), cx)?;
            let inner = match inner {
                Filter::And(mut operands) => {
                    operands.push(comparison);
                    Filter::And(operands)
                }
                other => Filter::And(vec![other, comparison]),
            };
            return Ok((rest, value_path_node(path, inner)));
        }
        return Ok((rest, value_path_node(path, inner)));
    }
    attr_exp_rest(rest, path, cx)
}

fn value_path_node(path: AttrPath, inner: Filter) -> Filter {
    Filter::ValuePath {
        path,
        filter: Box::new(inner),
    }
}

/// `"(" logExp ")"` after the opening parenthesis.
fn group<'a>(i: &'a str, cx: &Cx<'_>, scope: Scope) -> PResult<'a, Filter> {
    cx.enter(i)?;
    let (i, _) = multispace0(i)?;
    let (i, f) = log_exp(i, cx, scope)?;
    let (i, _) = multispace0(i)?;
    let Some(i) = i.strip_prefix(')') else {
        return fail(i, "\"and\", \"or\" or \")\"");
    };
    cx.leave();
    Ok((i, f))
}

/// `attrExp = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)`
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the whole RFC rule; `term` parses the attrPath once and shares it"
    )
)]
pub(crate) fn attr_exp<'a>(i: &'a str, cx: &Cx<'_>) -> PResult<'a, Filter> {
    let (i, path) = attr_path(i)?;
    attr_exp_rest(i, path, cx)
}

/// What follows the attrPath of an attrExp.
fn attr_exp_rest<'a>(i: &'a str, path: AttrPath, cx: &Cx<'_>) -> PResult<'a, Filter> {
    let Ok((i, _)) = multispace1::<_, Error<'a>>(i) else {
        return fail(i, "a space then \"pr\" or a comparison operator");
    };
    cx.count_clause(i)?;
    if let Ok((rest, _)) = word(i, "pr") {
        return Ok((rest, Filter::Present(path)));
    }
    let Ok((i, op)) = compare_op(i) else {
        return fail(
            i,
            "\"pr\" or a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le)",
        );
    };
    let (i, _) = multispace0(i)?;
    let (i, value) = comp_value(i, cx)?;
    Ok((i, Filter::Compare { path, op, value }))
}

/// `compareOp = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "lt" / "ge" / "le"`
///
/// Case-insensitive (RFC 7644 §3.4.2.2), and not followed by a name character.
pub(crate) fn compare_op(i: &str) -> PResult<'_, CompareOp> {
    let (Some(kw), Some(rest)) = (i.get(..2), i.get(2..)) else {
        return backtrack(i, "a comparison operator");
    };
    let op = match kw.as_bytes() {
        [a, b] => match [a.to_ascii_lowercase(), b.to_ascii_lowercase()] {
            [b'e', b'q'] => CompareOp::Eq,
            [b'n', b'e'] => CompareOp::Ne,
            [b'c', b'o'] => CompareOp::Co,
            [b's', b'w'] => CompareOp::Sw,
            [b'e', b'w'] => CompareOp::Ew,
            [b'g', b't'] => CompareOp::Gt,
            [b'l', b't'] => CompareOp::Lt,
            [b'g', b'e'] => CompareOp::Ge,
            [b'l', b'e'] => CompareOp::Le,
            _ => return backtrack(i, "a comparison operator"),
        },
        _ => return backtrack(i, "a comparison operator"),
    };
    if rest.starts_with(is_name_char) {
        return backtrack(i, "a comparison operator");
    }
    Ok((rest, op))
}

/// `compValue = false / null / true / number / string`
///
/// `number` and `string` are JSON's (RFC 7159). In lenient mode a bare word is a
/// string (Microsoft's samples send `externalId eq jyoung`), and the literals are
/// case-insensitive.
pub(crate) fn comp_value<'a>(i: &'a str, cx: &Cx<'_>) -> PResult<'a, CompValue> {
    const EXPECTED: &str = "a comparison value (a quoted string, number, true, false or null)";
    if i.starts_with('"') {
        let (rest, s) = string(i)?;
        return Ok((rest, CompValue::String(s)));
    }
    let (rest, token) = take_while(|c: char| !is_delimiter(c))(i)?;
    if token.is_empty() {
        return fail(i, EXPECTED);
    }
    let literal = |word: &str| {
        token == word || (cx.opts.case_insensitive_literals && token.eq_ignore_ascii_case(word))
    };
    if literal("true") {
        return Ok((rest, CompValue::Bool(true)));
    }
    if literal("false") {
        return Ok((rest, CompValue::Bool(false)));
    }
    if literal("null") {
        return Ok((rest, CompValue::Null));
    }
    if token.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        match number(token) {
            Ok(("", n)) => return Ok((rest, CompValue::Number(n))),
            Err(nom::Err::Failure(e)) => {
                // Out of range: report it at the number itself.
                let at = i.get(token.len() - e.input.len()..).unwrap_or(i);
                return Err(nom::Err::Failure(Error { input: at, ..e }));
            }
            _ => {}
        }
    }
    if cx.opts.bare_word_values {
        return Ok((rest, CompValue::String(token.to_owned())));
    }
    fail(i, EXPECTED)
}

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
fn unicode_escape(body: &str, pos: usize) -> Result<(char, usize), nom::Err<Error<'_>>> {
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
    let (rest, token) = take_while(|c: char| !is_delimiter(c))(i)?;
    if token.is_empty() {
        return backtrack(i, "an attribute path");
    }
    let (urn, tail) = match token.rfind(':') {
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
    let (after, sub) = opt(sub_attr).parse(after).map_err(into_failure)?;
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
    recognized((
        satisfy(|c| c.is_ascii_alphabetic() || c == '$'),
        fold_many0(name_char, || (), |(), _| ()),
    ))
    .parse(i)
    .map_err(|e| e.map(|e| Error::new(e.input, "an attribute name")))
}

/// `nameChar = "-" / "_" / DIGIT / ALPHA`
pub(crate) fn name_char(i: &str) -> PResult<'_, char> {
    satisfy(is_name_char)(i)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// `subAttr = "." ATTRNAME`
pub(crate) fn sub_attr(i: &str) -> PResult<'_, &str> {
    let Some(rest) = i.strip_prefix('.') else {
        return backtrack(i, "\".\" and a sub-attribute");
    };
    attr_name(rest).map_err(into_failure)
}

/// `valuePath = attrPath "[" valFilter "]"`
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the whole RFC rule; `term` parses the attrPath once and shares it"
    )
)]
pub(crate) fn value_path<'a>(i: &'a str, cx: &Cx<'_>) -> PResult<'a, Filter> {
    let (i, path) = attr_path(i)?;
    let (i, _) = multispace0(i)?;
    let (i, inner) = value_path_filter(i, &path, cx)?;
    Ok((i, value_path_node(path, inner)))
}

/// `"[" valFilter "]"` after the attrPath of a valuePath.
fn value_path_filter<'a>(i: &'a str, path: &AttrPath, cx: &Cx<'_>) -> PResult<'a, Filter> {
    let Some(rest) = i.strip_prefix('[') else {
        return fail(i, "\"[\"");
    };
    if path.sub_attribute.is_some() {
        return fail(i, "an attribute without sub-attribute before \"[\"");
    }
    cx.enter(rest)?;
    let (rest, _) = multispace0(rest)?;
    let (rest, inner) = val_filter(rest, cx)?;
    let (rest, _) = multispace0(rest)?;
    let Some(rest) = rest.strip_prefix(']') else {
        return fail(rest, "\"and\", \"or\" or \"]\"");
    };
    cx.leave();
    Ok((rest, inner))
}

/// `PATH = attrPath / valuePath [subAttr]` (RFC 7644 §3.5.2)
pub(crate) fn path<'a>(i: &'a str, cx: &Cx<'_>) -> PResult<'a, PatchPath> {
    let (i, attribute) = attr_path(i)?;
    let (after, _) = multispace0(i)?;
    if !after.starts_with('[') {
        return Ok((
            i,
            PatchPath {
                attribute,
                filter: None,
                sub_attribute: None,
            },
        ));
    }
    let (i, inner) = value_path_filter(after, &attribute, cx)?;
    let (i, sub) = opt(sub_attr).parse(i)?;
    Ok((
        i,
        PatchPath {
            attribute,
            filter: Some(inner),
            sub_attribute: sub.map(str::to_owned),
        },
    ))
}

/// Characters that end an attribute path or a bare value.
fn is_delimiter(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '(' | ')' | '[' | ']' | '"')
}

/// A case-insensitive keyword (`and`, `or`, `not`, `pr`) not followed by a name character.
fn word<'a>(i: &'a str, keyword: &'static str) -> PResult<'a, &'a str> {
    match (i.get(..keyword.len()), i.get(keyword.len()..)) {
        (Some(w), Some(rest))
            if w.eq_ignore_ascii_case(keyword) && !rest.starts_with(is_name_char) =>
        {
            Ok((rest, w))
        }
        _ => backtrack(i, keyword),
    }
}

/// The input `parser` consumed. (nom 8's `recognize` measures the consumed length
/// by pointer offset, which breaks when a sub-parser returns an empty slice that is
/// not a sub-slice of the input, as `digit0` does at the end of the input.)
fn recognized<'a, O>(
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

fn into_failure(e: nom::Err<Error<'_>>) -> nom::Err<Error<'_>> {
    match e {
        nom::Err::Error(e) => nom::Err::Failure(e),
        other => other,
    }
}

/// Runs `rule` over the whole of `s` (surrounding whitespace allowed) under `opts`.
fn parse_all<'a, T>(
    s: &'a str,
    opts: &FilterOptions,
    trailing: &'static str,
    rule: impl Fn(&'a str, &Cx<'_>) -> PResult<'a, T>,
) -> Result<T, ParseError> {
    if s.len() > opts.max_length {
        return Err(ParseError::new(
            opts.max_length,
            format!("at most {} bytes", opts.max_length),
        ));
    }
    let cx = Cx::new(opts);
    let whole = |i: &'a str| -> PResult<'a, T> {
        let (i, value) = rule(i, &cx)?;
        let (i, _) = multispace0(i)?;
        if !i.is_empty() {
            return fail(i, trailing);
        }
        Ok((i, value))
    };
    all_consuming(delimited(multispace0, whole, multispace0))
        .parse(s)
        .finish()
        .map(|(_, value)| value)
        .map_err(|e| e.locate(s))
}

impl Filter {
    /// Parses a filter with the given leniencies and limits.
    ///
    /// ```
    /// use scim_core::{Filter, FilterOptions};
    /// let f = Filter::parse_with(r#"emails[type eq "work"].value eq "a@b.c""#, &FilterOptions::default()).unwrap();
    /// assert_eq!(f.to_string(), r#"emails[type eq "work" and value eq "a@b.c"]"#);
    /// assert!(Filter::parse_with(r#"emails[type eq "work"].value eq "a@b.c""#, &FilterOptions::strict()).is_err());
    /// ```
    pub fn parse_with(s: &str, opts: &FilterOptions) -> Result<Self, ParseError> {
        parse_all(s, opts, "\"and\", \"or\" or the end of the filter", filter)
    }
}

impl FromStr for Filter {
    type Err = ParseError;

    /// Parses a filter leniently, with the default limits ([`FilterOptions::default`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_with(s, &FilterOptions::default())
    }
}

impl PatchPath {
    /// Parses a PATCH path with the given options (limits and value leniencies).
    ///
    /// ```
    /// use scim_core::{FilterOptions, PatchPath};
    /// let p = PatchPath::parse_with(r#"members[value eq "2819c223"]"#, &FilterOptions::strict()).unwrap();
    /// assert_eq!(p.attribute.name, "members");
    /// assert!(p.sub_attribute.is_none());
    /// ```
    pub fn parse_with(s: &str, opts: &FilterOptions) -> Result<Self, ParseError> {
        parse_all(
            s,
            opts,
            "\"[\", \".\" and a sub-attribute, or the end of the path",
            path,
        )
    }
}

impl FromStr for PatchPath {
    type Err = ParseError;

    /// Parses a PATCH path leniently, with the default limits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_with(s, &FilterOptions::default())
    }
}

impl FromStr for AttrPath {
    type Err = ParseError;

    /// Parses `[URI ":"] ATTRNAME *1subAttr`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_all(
            s,
            &FilterOptions::default(),
            "the end of the attribute path",
            |i, _| attr_path(i),
        )
    }
}
