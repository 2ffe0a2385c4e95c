//! Leniencies and limits of filter parsing and checking.

/// How tolerant the filter parser and [`Filter::check`](super::Filter::check) are,
/// and the limits that keep hostile filters cheap.
///
/// The default is lenient, because real clients send filters outside the RFC
/// grammar; [`FilterOptions::strict`] follows RFC 7644 §3.4.2.2 to the letter.
/// Every limit breach is a `400 invalidFilter`, never a stack overflow or an
/// unbounded allocation.
///
/// ```
/// use scim_core::{Filter, filter::FilterOptions};
/// let lenient = FilterOptions::default();
/// assert!(Filter::parse_with("externalId eq jyoung", &lenient).is_ok());
/// assert!(Filter::parse_with("externalId eq jyoung", &FilterOptions::strict()).is_err());
///
/// let mut tight = FilterOptions::default();
/// tight.max_clauses = 2;
/// assert!(Filter::parse_with("a pr or b pr or c pr", &tight).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FilterOptions {
    /// Accept an unquoted word as a string value (`externalId eq jyoung`), as
    /// Microsoft's own SCIM samples send. Lenient default: `true`.
    pub bare_word_values: bool,
    /// Accept Entra ID's `emails[type eq "work"].value eq "x"`, outside the RFC
    /// grammar, meaning "some element with type work has that value". Lenient
    /// default: `true`.
    pub value_path_comparison: bool,
    /// Accept `True`, `FALSE` and `NULL` as the JSON literals. Lenient default: `true`.
    pub case_insensitive_literals: bool,
    /// An attribute the schema does not define matches nothing (`true`), or makes
    /// [`Filter::check`](super::Filter::check) fail with `invalidFilter` (`false`).
    /// Lenient default: `true`.
    pub unknown_attributes_match_nothing: bool,
    /// Longest filter accepted, in bytes. Default 8 KiB.
    pub max_length: usize,
    /// Deepest nesting of parentheses, `not` and value paths. Default 64.
    pub max_depth: usize,
    /// Most comparisons and presence tests in one filter. Default 1000.
    pub max_clauses: usize,
}

impl Default for FilterOptions {
    fn default() -> Self {
        Self {
            bare_word_values: true,
            value_path_comparison: true,
            case_insensitive_literals: true,
            unknown_attributes_match_nothing: true,
            max_length: 8 * 1024,
            max_depth: 64,
            max_clauses: 1000,
        }
    }
}

impl FilterOptions {
    /// The RFC grammar only, and unknown attributes rejected; default limits.
    ///
    /// ```
    /// use scim_core::filter::FilterOptions;
    /// let s = FilterOptions::strict();
    /// assert!(!s.bare_word_values && !s.value_path_comparison && !s.unknown_attributes_match_nothing);
    /// assert_eq!(s.max_depth, FilterOptions::default().max_depth);
    /// ```
    pub fn strict() -> Self {
        Self {
            bare_word_values: false,
            value_path_comparison: false,
            case_insensitive_literals: false,
            unknown_attributes_match_nothing: false,
            ..Self::default()
        }
    }
}
