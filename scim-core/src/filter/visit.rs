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
/// A SQL-like `WHERE` clause:
///
/// ```
/// use scim_core::{Filter, filter::{AttrPath, CompareOp, CompValue, Visitor}};
///
/// struct Sql { element: Option<String> }
///
/// impl Visitor for Sql {
///     type Output = String;
///     fn compare(&mut self, path: &AttrPath, op: CompareOp, value: &CompValue) -> String {
///         let column = self.column(path);
///         let value = match value {
///             CompValue::String(s) => format!("'{}'", s.replace('\'', "''")),
///             other => other.to_string(),
///         };
///         match op {
///             CompareOp::Eq => format!("{column} = {value}"),
///             CompareOp::Ne => format!("{column} <> {value}"),
///             CompareOp::Co => format!("{column} LIKE '%' || {value} || '%'"),
///             CompareOp::Sw => format!("{column} LIKE {value} || '%'"),
///             CompareOp::Ew => format!("{column} LIKE '%' || {value}"),
///             CompareOp::Gt => format!("{column} > {value}"),
///             CompareOp::Lt => format!("{column} < {value}"),
///             CompareOp::Ge => format!("{column} >= {value}"),
///             CompareOp::Le => format!("{column} <= {value}"),
///             _ => "FALSE".into(),
///         }
///     }
///     fn present(&mut self, path: &AttrPath) -> String {
///         format!("{} IS NOT NULL", self.column(path))
///     }
///     fn and(&mut self, operands: Vec<String>) -> String {
///         format!("({})", operands.join(" AND "))
///     }
///     fn or(&mut self, operands: Vec<String>) -> String {
///         format!("({})", operands.join(" OR "))
///     }
///     fn not(&mut self, operand: String) -> String {
///         format!("NOT {operand}")
///     }
///     fn value_path(&mut self, path: &AttrPath, filter: &Filter) -> String {
///         let table = path.name.to_lowercase();
///         self.element = Some(table.clone());
///         let inner = filter.accept(self);
///         self.element = None;
///         format!("EXISTS (SELECT 1 FROM {table} WHERE {table}.owner = users.id AND {inner})")
///     }
/// }
///
/// impl Sql {
///     fn column(&self, path: &AttrPath) -> String {
///         let name = match &path.sub_attribute {
///             Some(sub) => format!("{}_{}", path.name, sub),
///             None => path.name.clone(),
///         };
///         match &self.element {
///             Some(table) => format!("{table}.{}", name.to_lowercase()),
///             None => format!("users.{}", name.to_lowercase()),
///         }
///     }
/// }
///
/// let f: Filter = r#"userName eq "bjensen" and (emails[type eq "work" and value co "@example.com"] or not (title pr))"#
///     .parse().unwrap();
/// assert_eq!(
///     f.accept(&mut Sql { element: None }),
///     "(users.username = 'bjensen' AND (EXISTS (SELECT 1 FROM emails WHERE emails.owner = users.id AND \
///      (emails.type = 'work' AND emails.value LIKE '%' || '@example.com' || '%')) OR NOT users.title IS NOT NULL))"
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
