//! The leaves of a translation: `pr` and `attrPath compareOp compValue`, with the
//! value converted for the attribute's type as scim-core's evaluator converts it.

use scim_core::filter::{CompValue, CompareOp, fold_case};
use scim_core::schema::{Attribute, AttributeType};
use serde_json::Number;

use super::column::{Column, Repr, Values, exists};
use super::{Cond, Dialect, SqlValue, Writer, normalize_instant};

/// `%`, `_` and the escape character itself escaped for `LIKE ... ESCAPE '\'`.
///
/// ```
/// assert_eq!(scim_sqlx::filter::escape_like(r"50%_a\b"), r"50\%\_a\\b");
/// ```
pub fn escape_like(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Writer<'_> {
    /// One predicate on every value of a column: `EXISTS` over rows (never `NULL`); on
    /// a scalar, the bare predicate where a `NULL` reads as `FALSE` anyway (so that an
    /// index serves `userName eq …`), `COALESCE(…, FALSE)` under a `not`.
    fn leaf(&self, column: &Column, predicate: impl FnOnce(&str) -> String) -> Cond {
        match &column.values {
            Values::Scalar(sql) if !self.local_negated => Cond::Sql(predicate(sql)),
            Values::Scalar(sql) => Cond::Sql(format!("COALESCE({}, FALSE)", predicate(sql))),
            Values::Rows { from, on, value } => {
                Cond::Sql(exists(from, on, Some(&predicate(value))))
            }
        }
    }

    /// `attrPath pr` (RFC 7644 §3.4.2.2): some value that is not null or empty.
    pub(super) fn present(&mut self, column: &Column, attribute: &Attribute) -> Cond {
        let _ = attribute;
        match column.repr {
            Repr::FoldedText | Repr::Text | Repr::AsciiText => {
                self.leaf(column, |v| format!("{v} <> ''"))
            }
            _ => self.leaf(column, |v| format!("{v} IS NOT NULL")),
        }
    }

    /// A comparison, or `None` when this column cannot answer it exactly.
    pub(super) fn compare(
        &mut self,
        column: &Column,
        attribute: &Attribute,
        op: CompareOp,
        value: &CompValue,
    ) -> Option<Cond> {
        if let CompValue::Null = value {
            // `eq null` asks for absence, `ne null` for presence.
            return Some(match op {
                CompareOp::Eq => {
                    self.local_negated = !self.local_negated;
                    let present = self.present(column, attribute);
                    self.local_negated = !self.local_negated;
                    match present {
                        Cond::Sql(sql) => Cond::Sql(format!("NOT {sql}")),
                        Cond::True => Cond::False,
                        Cond::False => Cond::True,
                    }
                }
                CompareOp::Ne => self.present(column, attribute),
                _ => Cond::False,
            });
        }
        // A number or boolean written without quotes compares as its text.
        let text = match value {
            CompValue::String(s) => s.clone(),
            CompValue::Number(n) => n.to_string(),
            CompValue::Bool(b) => b.to_string(),
            CompValue::Null => String::new(),
        };
        match attribute.kind {
            AttributeType::String | AttributeType::Reference | AttributeType::Binary => {
                self.text(column, attribute.case_exact, op, &text)
            }
            AttributeType::DateTime => match op {
                CompareOp::Co | CompareOp::Sw | CompareOp::Ew => {
                    self.text(column, attribute.case_exact, op, &text)
                }
                _ => {
                    let CompValue::String(s) = value else {
                        return None;
                    };
                    let at = normalize_instant(s)?;
                    if column.repr != Repr::Instant {
                        return None;
                    }
                    let p = self.bind(SqlValue::Text(at));
                    let collate = self.collate_c();
                    Some(self.leaf(column, |v| format!("{v}{collate} {} {p}", symbol(op))))
                }
            },
            AttributeType::Integer | AttributeType::Decimal => {
                let number = match value {
                    CompValue::Number(n) => n.clone(),
                    // Lenient, as the evaluator: a quoted number compares as the number.
                    CompValue::String(s) => match s.trim().parse::<Number>() {
                        Ok(n) => n,
                        Err(_) => return Some(Cond::False),
                    },
                    _ => return Some(Cond::False),
                };
                if matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) {
                    return Some(Cond::False);
                }
                if column.repr != Repr::Number {
                    return None;
                }
                let p = match self.dialect {
                    Dialect::Postgres => {
                        let p = self.bind(SqlValue::Text(number.to_string()));
                        format!("CAST({p} AS NUMERIC)")
                    }
                    Dialect::Sqlite => match (number.as_i64(), number.as_f64()) {
                        (Some(i), _) => self.bind(SqlValue::Integer(i)),
                        (None, Some(f)) => self.bind(SqlValue::Real(f)),
                        (None, None) => return None,
                    },
                };
                Some(self.leaf(column, |v| format!("{v} {} {p}", symbol(op))))
            }
            AttributeType::Boolean => {
                let b = match value {
                    CompValue::Bool(b) => *b,
                    // Entra ID writes booleans as "True"/"False" strings.
                    CompValue::String(s) if s.eq_ignore_ascii_case("true") => true,
                    CompValue::String(s) if s.eq_ignore_ascii_case("false") => false,
                    _ => return Some(Cond::False),
                };
                if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                    return Some(Cond::False);
                }
                if column.repr != Repr::Bool {
                    return None;
                }
                let p = self.bind(SqlValue::Bool(b));
                Some(self.leaf(column, |v| format!("{v} {} {p}", symbol(op))))
            }
            // Complex attributes are compared through their sub-attributes; a
            // comparison with the attribute itself matches nothing, as in the evaluator.
            _ => Some(Cond::False),
        }
    }

    /// ` COLLATE "C"` on PostgreSQL, for code point order whatever the locale.
    fn collate_c(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgres => " COLLATE \"C\"",
            Dialect::Sqlite => "",
        }
    }

    /// A text comparison under the attribute's case rule.
    fn text(
        &mut self,
        column: &Column,
        case_exact: bool,
        op: CompareOp,
        text: &str,
    ) -> Option<Cond> {
        let (lower, ascii_only) = match (column.repr, case_exact) {
            (Repr::FoldedText, _) | (Repr::Text | Repr::AsciiText, true) => (false, true),
            (Repr::Text, false) => (true, false),
            (Repr::AsciiText, false) => (true, true),
            _ => return None,
        };
        // PostgreSQL text cannot hold NUL, so no stored value has one: let the
        // evaluator decide rather than send a value the server refuses.
        if self.dialect == Dialect::Postgres && text.contains('\0') {
            return None;
        }
        if lower && !text.is_ascii() {
            // SQL's lower() is not fold_case beyond ASCII: leave it to the evaluator.
            return None;
        }
        let value = if case_exact || lower {
            text.to_owned()
        } else {
            fold_case(text)
        };
        let wrap = |sql: String| if lower { format!("lower({sql})") } else { sql };
        if matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) && value.is_empty() {
            // Every string contains, starts and ends with "".
            return Some(self.leaf(column, |v| format!("{v} IS NOT NULL")));
        }
        let cond = match (op, self.dialect) {
            (CompareOp::Co | CompareOp::Sw | CompareOp::Ew, Dialect::Postgres) => {
                let pattern = match op {
                    CompareOp::Co => format!("%{}%", escape_like(&value)),
                    CompareOp::Sw => format!("{}%", escape_like(&value)),
                    _ => format!("%{}", escape_like(&value)),
                };
                let p = wrap(self.bind(SqlValue::Text(pattern)));
                self.leaf(column, |v| {
                    format!("{} LIKE {p} ESCAPE '\\'", wrap(v.to_owned()))
                })
            }
            // SQLite's LIKE ignores ASCII case: compare exactly with instr/substr,
            // which count characters as length() does.
            (CompareOp::Co, Dialect::Sqlite) => {
                let p = wrap(self.bind(SqlValue::Text(value)));
                self.leaf(column, |v| {
                    format!("instr({}, {p}) > 0", wrap(v.to_owned()))
                })
            }
            (CompareOp::Sw, Dialect::Sqlite) => {
                let p = wrap(self.bind(SqlValue::Text(value)));
                self.leaf(column, |v| {
                    format!("substr({}, 1, length({p})) = {p}", wrap(v.to_owned()))
                })
            }
            (CompareOp::Ew, Dialect::Sqlite) => {
                let p = wrap(self.bind(SqlValue::Text(value)));
                self.leaf(column, |v| {
                    format!("substr({}, -length({p})) = {p}", wrap(v.to_owned()))
                })
            }
            _ => {
                let p = wrap(self.bind(SqlValue::Text(value)));
                let collate = if matches!(op, CompareOp::Eq | CompareOp::Ne) {
                    ""
                } else {
                    self.collate_c()
                };
                self.leaf(column, |v| {
                    format!("{}{collate} {} {p}", wrap(v.to_owned()), symbol(op))
                })
            }
        };
        Some(if lower && !ascii_only {
            self.ascii_bound(cond, column)
        } else {
            cond
        })
    }

    /// A `lower()` comparison agrees with [`fold_case`] on ASCII values only (`Straße`
    /// folds to `strasse`, SQLite's `lower` keeps `Ä`). Rows whose value is not ASCII
    /// are therefore added (or, under a `not`, removed) and left to the evaluator: the
    /// translation becomes inexact but still selects a superset.
    fn ascii_bound(&mut self, cond: Cond, column: &Column) -> Cond {
        let Cond::Sql(sql) = cond else { return cond };
        let Values::Scalar(value) = &column.values else {
            // Over rows, the element that matches may be any of them: no exact bound.
            self.exact = false;
            return if self.negated {
                Cond::False
            } else {
                Cond::True
            };
        };
        self.exact = false;
        let ascii = match self.dialect {
            Dialect::Postgres => format!("octet_length({value}) = char_length({value})"),
            Dialect::Sqlite => format!("length(CAST({value} AS BLOB)) = length({value})"),
        };
        Cond::Sql(if self.negated {
            format!("({sql} AND {ascii})")
        } else {
            format!("({sql} OR NOT COALESCE({ascii}, TRUE))")
        })
    }
}

/// The SQL operator of an ordering or equality comparison.
fn symbol(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "=",
        CompareOp::Ne => "<>",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        // Never written: co/sw/ew have their own forms.
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => "=",
    }
}
