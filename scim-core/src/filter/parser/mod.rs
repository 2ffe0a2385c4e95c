//! The filter grammar of RFC 7644 §3.4.2.2 (Figure 1) and the PATCH path of §3.5.2,
//! one `nom` function per ABNF rule, named after the rule.
//!
//! Rules that recurse take a [`Cx`] that enforces the nesting and clause limits of
//! [`FilterOptions`] as they are reached, so no input can overflow the stack or
//! grow an allocation past the limits.

use std::cell::Cell;
use std::str::FromStr;

use nom::Parser;
use nom::combinator::opt;

use super::ast::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
use super::error::{Error, Expected, PResult, ParseError, backtrack, fail};
use super::options::FilterOptions;

mod lexical;
#[cfg(test)]
mod tests;

use lexical::{attr_path, is_name_byte, number, spaces, string, sub_attr, token, word};

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
    // Most operands are not followed by this keyword: return the operand as is, without
    // moving it through a list.
    let Ok((rest, _)) = word(spaces(i), keyword) else {
        return Ok((i, first));
    };
    // Grows by one operand per clause parsed, so `max_clauses` bounds it.
    let mut operands: Vec<Filter> = Vec::with_capacity(4);
    operands.push(first);
    let mut after_keyword = rest;
    loop {
        let (rest, next) = operand(spaces(after_keyword))?;
        operands.push(next);
        i = rest;
        match word(spaces(i), keyword) {
            Ok((rest, _)) => after_keyword = rest,
            Err(_) => break,
        }
    }
    let node = if keyword == "and" {
        Filter::And(operands)
    } else {
        Filter::Or(operands)
    };
    Ok((i, node))
}

/// One operand of a logExp: a parenthesised group, `not (...)`, a valuePath or an attrExp.
fn term<'a>(i: &'a str, cx: &Cx<'_>, scope: Scope) -> PResult<'a, Filter> {
    if let Some(rest) = i.strip_prefix('(') {
        return group(rest, cx, scope);
    }
    if let Ok((rest, _)) = word(i, "not") {
        let after = spaces(rest);
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
    let after = spaces(rest);
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
    let i = spaces(i);
    let (i, f) = log_exp(i, cx, scope)?;
    let i = spaces(i);
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
    let after = spaces(i);
    if after.len() == i.len() {
        return fail(i, "a space then \"pr\" or a comparison operator");
    }
    let i = after;
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
    let i = spaces(i);
    let (i, value) = comp_value(i, cx)?;
    Ok((i, Filter::Compare { path, op, value }))
}

/// `compareOp = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "lt" / "ge" / "le"`
///
/// Case-insensitive (RFC 7644 §3.4.2.2), and not followed by a name character.
pub(crate) fn compare_op(i: &str) -> PResult<'_, CompareOp> {
    // Bytes, not `str` slices: the operator is ASCII, so no char-boundary checks are needed
    // until it has matched.
    let op = match i.as_bytes() {
        [a, b, rest @ ..] if !rest.first().copied().is_some_and(is_name_byte) => {
            match [a.to_ascii_lowercase(), b.to_ascii_lowercase()] {
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
            }
        }
        _ => return backtrack(i, "a comparison operator"),
    };
    match i.get(2..) {
        Some(rest) => Ok((rest, op)),
        None => backtrack(i, "a comparison operator"),
    }
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
    let (rest, token) = token(i);
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
    let i = spaces(i);
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
    let rest = spaces(rest);
    let (rest, inner) = val_filter(rest, cx)?;
    let rest = spaces(rest);
    let Some(rest) = rest.strip_prefix(']') else {
        return fail(rest, "\"and\", \"or\" or \"]\"");
    };
    cx.leave();
    Ok((rest, inner))
}

/// `PATH = attrPath / valuePath [subAttr]` (RFC 7644 §3.5.2)
pub(crate) fn path<'a>(i: &'a str, cx: &Cx<'_>) -> PResult<'a, PatchPath> {
    let (i, attribute) = attr_path(i)?;
    let after = spaces(i);
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
        let i = spaces(i);
        if !i.is_empty() {
            return fail(i, trailing);
        }
        Ok((i, value))
    };
    match whole(spaces(s)) {
        Ok((_, value)) => Ok(value),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e.locate(s)),
        // Only streaming parsers return `Incomplete`; these rules are all complete.
        Err(nom::Err::Incomplete(_)) => Err(ParseError::new(s.len(), trailing)),
    }
}

impl Filter {
    /// Parses a filter with the given leniencies and limits.
    ///
    /// ```
    /// use scim_core::{Filter, filter::FilterOptions};
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
    /// use scim_core::filter::{FilterOptions, PatchPath};
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
