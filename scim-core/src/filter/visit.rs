//! A visitor over the filter AST, so that a store can translate a filter into its
//! own query language (one SQL `WHERE`, say) instead of loading every resource to
//! evaluate it (RFC 7644 §3.4.2.2).

use super::ast::{AttrPath, CompValue, CompareOp, Filter};

/// Turns each node of a [`Filter`] into an `Output`, bottom-up; see [`Filter::accept`].
///
/// Operands of `and`/`or`/`not` are visited first and handed over as outputs; a
/// value path hands over its inner filter unvisited, so the visitor can set up
/// the element scope (a join, an `EXISTS` subquery) before calling
/// [`Filter::accept`] on it. Make `Output` a `Result` to reject what the store
/// cannot express.
///
/// A store that pushes filters down to SQL should not write its own translator from
/// this trait: values must be bound parameters (never spliced into the text), `co`,
/// `sw` and `ew` must escape `%` and `_`, `caseExact` decides whether both sides are
/// folded, dateTimes compare as instants, and `not` over a missing value needs SQL's
/// three-valued logic handled. `scim_sqlx::filter::translate` does all of that over any
/// table layout. A visitor suits smaller questions about a filter, such as which
/// attributes it reads (here, to check that each has an indexed column before pushing
/// the filter down):
///
/// ```
/// use scim_core::{Filter, filter::{AttrPath, CompareOp, CompValue, Visitor}};
///
/// /// The attribute paths a filter reads, value paths spelt `emails.type`.
/// #[derive(Default)]
/// struct Reads { element_of: Option<String> }
///
/// impl Visitor for Reads {
///     type Output = Vec<String>;
///     fn compare(&mut self, path: &AttrPath, _: CompareOp, _: &CompValue) -> Vec<String> {
///         vec![self.name(path)]
///     }
///     fn present(&mut self, path: &AttrPath) -> Vec<String> {
///         vec![self.name(path)]
///     }
///     fn and(&mut self, operands: Vec<Vec<String>>) -> Vec<String> {
///         operands.concat()
///     }
///     fn or(&mut self, operands: Vec<Vec<String>>) -> Vec<String> {
///         operands.concat()
///     }
///     fn not(&mut self, operand: Vec<String>) -> Vec<String> {
///         operand
///     }
///     fn value_path(&mut self, path: &AttrPath, filter: &Filter) -> Vec<String> {
///         // Visit the inner filter in the element's scope, then leave it.
///         let outer = self.element_of.replace(path.to_string());
///         let inner = filter.accept(self);
///         self.element_of = outer;
///         inner
///     }
/// }
///
/// impl Reads {
///     fn name(&self, path: &AttrPath) -> String {
///         match &self.element_of {
///             Some(parent) => format!("{parent}.{path}"),
///             None => path.to_string(),
///         }
///     }
/// }
///
/// let f: Filter = r#"userName eq "bjensen" and (emails[type eq "work" and value co "@example.com"] or not (title pr))"#
///     .parse().unwrap();
/// assert_eq!(
///     f.accept(&mut Reads::default()),
///     ["userName", "emails.type", "emails.value", "title"]
/// );
/// ```
pub trait Visitor {
    /// What each node becomes.
    type Output;
    /// `attrPath compareOp compValue`.
    fn compare(&mut self, path: &AttrPath, op: CompareOp, value: &CompValue) -> Self::Output;
    /// `attrPath pr`.
    fn present(&mut self, path: &AttrPath) -> Self::Output;
    /// An n-ary `and` of already visited operands (two or more).
    fn and(&mut self, operands: Vec<Self::Output>) -> Self::Output;
    /// An n-ary `or` of already visited operands (two or more).
    fn or(&mut self, operands: Vec<Self::Output>) -> Self::Output;
    /// `not (...)` of an already visited operand.
    fn not(&mut self, operand: Self::Output) -> Self::Output;
    /// `attrPath[valFilter]`: the visitor visits `filter` itself, in element scope.
    fn value_path(&mut self, path: &AttrPath, filter: &Filter) -> Self::Output;
}

impl Filter {
    /// Runs a [`Visitor`] over the filter and returns what it makes of the root.
    ///
    /// ```
    /// use scim_core::{Filter, filter::{AttrPath, CompareOp, CompValue, Visitor}};
    /// /// Counts clauses.
    /// struct Count;
    /// impl Visitor for Count {
    ///     type Output = usize;
    ///     fn compare(&mut self, _: &AttrPath, _: CompareOp, _: &CompValue) -> usize { 1 }
    ///     fn present(&mut self, _: &AttrPath) -> usize { 1 }
    ///     fn and(&mut self, o: Vec<usize>) -> usize { o.iter().sum() }
    ///     fn or(&mut self, o: Vec<usize>) -> usize { o.iter().sum() }
    ///     fn not(&mut self, o: usize) -> usize { o }
    ///     fn value_path(&mut self, _: &AttrPath, f: &Filter) -> usize { f.accept(self) }
    /// }
    /// let f: Filter = r#"a pr or b eq 1 and not (c[d pr and e pr])"#.parse().unwrap();
    /// assert_eq!(f.accept(&mut Count), 4);
    /// ```
    pub fn accept<V: Visitor + ?Sized>(&self, visitor: &mut V) -> V::Output {
        match self {
            Filter::Compare { path, op, value } => visitor.compare(path, *op, value),
            Filter::Present(path) => visitor.present(path),
            Filter::And(operands) => {
                let outputs = operands.iter().map(|f| f.accept(visitor)).collect();
                visitor.and(outputs)
            }
            Filter::Or(operands) => {
                let outputs = operands.iter().map(|f| f.accept(visitor)).collect();
                visitor.or(outputs)
            }
            Filter::Not(inner) => {
                let output = inner.accept(visitor);
                visitor.not(output)
            }
            Filter::ValuePath { path, filter } => visitor.value_path(path, filter),
        }
    }
}
