//! Why a filter or path did not parse: a byte offset and what was expected there.

use std::borrow::Cow;

use nom::error::{ContextError, ErrorKind};

use crate::error::ScimError;

/// A filter, attribute path or PATCH path that does not parse, or that breaks a
/// limit of [`FilterOptions`](super::FilterOptions).
///
/// `offset` is the byte offset in the input where parsing stopped; `expected`
/// names what the grammar of RFC 7644 §3.4.2.2 wanted there. It converts into a
/// `400 invalidFilter` [`ScimError`] whose detail names both.
///
/// ```
/// use scim_core::{Filter, ScimError, error::ScimType, filter::ParseError};
/// let err: ParseError = "userName eq".parse::<Filter>().unwrap_err();
/// assert_eq!(err.offset, 11);
/// assert!(err.expected.starts_with("a comparison value"));
/// let scim: ScimError = err.into();
/// assert_eq!(scim.scim_type(), Some(ScimType::InvalidFilter));
/// assert!(scim.detail().contains("byte 11"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter at byte {offset}: expected {expected}")]
#[non_exhaustive]
pub struct ParseError {
    /// Byte offset in the input where the error was found.
    pub offset: usize,
    /// What the grammar expected at `offset` (or the limit that was reached).
    pub expected: Cow<'static, str>,
}

impl ParseError {
    /// An error at `offset`.
    ///
    /// ```
    /// # use scim_core::filter::ParseError;
    /// let e = ParseError::new(3, "\"(\"");
    /// assert_eq!(e.to_string(), "invalid filter at byte 3: expected \"(\"");
    /// ```
    pub fn new(offset: usize, expected: impl Into<Cow<'static, str>>) -> Self {
        Self {
            offset,
            expected: expected.into(),
        }
    }

    /// The same error as a `400 invalidPath` (for PATCH paths, RFC 7644 §3.5.2).
    ///
    /// ```
    /// # use scim_core::{error::ScimType, filter::PatchPath};
    /// let err = "emails[".parse::<PatchPath>().unwrap_err().into_invalid_path();
    /// assert_eq!(err.scim_type(), Some(ScimType::InvalidPath));
    /// ```
    pub fn into_invalid_path(self) -> ScimError {
        ScimError::invalid_path(format!(
            "invalid path at byte {}: expected {}",
            self.offset, self.expected
        ))
    }
}

impl From<ParseError> for ScimError {
    fn from(err: ParseError) -> Self {
        ScimError::invalid_filter(err.to_string())
    }
}

/// What went wrong inside the parser, before the offset is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expected {
    /// A grammar element, named for humans.
    Token(&'static str),
    /// More nesting than `max_depth` allows.
    Depth(usize),
    /// More clauses than `max_clauses` allows.
    Clauses(usize),
}

/// The parser's internal error: where (the remaining input) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error<'a> {
    pub(crate) input: &'a str,
    pub(crate) expected: Expected,
}

impl<'a> Error<'a> {
    pub(crate) const fn new(input: &'a str, expected: &'static str) -> Self {
        Self {
            input,
            expected: Expected::Token(expected),
        }
    }

    /// The public error, with the offset of `self.input` within `original`.
    pub(crate) fn locate(self, original: &str) -> ParseError {
        let offset = original.len().saturating_sub(self.input.len());
        let expected: Cow<'static, str> = match self.expected {
            Expected::Token(t) => Cow::Borrowed(t),
            Expected::Depth(max) => format!("at most {max} levels of nesting").into(),
            Expected::Clauses(max) => format!("at most {max} clauses").into(),
        };
        ParseError::new(offset, expected)
    }
}

impl<'a> nom::error::ParseError<&'a str> for Error<'a> {
    fn from_error_kind(input: &'a str, kind: ErrorKind) -> Self {
        let expected = match kind {
            ErrorKind::Eof => "end of input",
            ErrorKind::Char => "a character",
            ErrorKind::MultiSpace | ErrorKind::Space => "a space",
            _ => "valid filter syntax",
        };
        Self::new(input, expected)
    }

    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }

    /// Of two alternatives, report the one that got further.
    fn or(self, other: Self) -> Self {
        if other.input.len() <= self.input.len() {
            other
        } else {
            self
        }
    }
}

impl<'a> ContextError<&'a str> for Error<'a> {
    fn add_context(input: &'a str, ctx: &'static str, other: Self) -> Self {
        // A context names the rule that failed, unless a deeper rule already got further.
        if other.input.len() < input.len() {
            other
        } else {
            Self::new(input, ctx)
        }
    }
}

/// The result type of every grammar rule.
pub(crate) type PResult<'a, T> = nom::IResult<&'a str, T, Error<'a>>;

/// A recoverable error at `input` (an alternative may still match).
pub(crate) fn backtrack<'a, T>(input: &'a str, expected: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(Error::new(input, expected)))
}

/// An unrecoverable error at `input` (the grammar is committed).
pub(crate) fn fail<'a, T>(input: &'a str, expected: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Failure(Error::new(input, expected)))
}
