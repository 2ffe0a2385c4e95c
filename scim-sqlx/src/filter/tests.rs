use scim_core::schema::Attribute;
use scim_core::{Filter, SchemaRegistry};

use super::*;

/// A host's `users` table with an `emails` table; `title` is not mapped.
struct Users;

impl ColumnMap for Users {
    fn column(&self, attr: &AttrRef<'_>) -> Option<Column> {
        Some(match attr.names() {
            ("userName", None) => Column::scalar("u.user_name", Repr::FoldedText),
            ("externalId", None) => Column::scalar("u.external_id", Repr::FoldedText),
            ("displayName", None) => Column::scalar("u.display_name", Repr::Text),
            ("nickName", None) => Column::scalar("u.nick", Repr::AsciiText),
            ("active", None) => Column::scalar("u.active", Repr::Bool),
            ("meta", Some("lastModified")) => Column::scalar("u.updated_at", Repr::Instant),
            ("emails", Some("value")) => Column::rows(
                "user_emails e",
                "e.user_id = u.id",
                "e.address",
                Repr::FoldedText,
            ),
            _ => return None,
        })
    }

    fn elements(&self, attr: &AttrRef<'_>) -> Option<Elements> {
        (attr.attribute.name == "emails")
            .then(|| Elements::new("user_emails e", "e.user_id = u.id"))
    }

    fn element_column(&self, _: &AttrRef<'_>, sub: &Attribute) -> Option<Column> {
        match sub.name.as_str() {
            "value" => Some(Column::scalar("e.address", Repr::FoldedText)),
            "type" => Some(Column::scalar("e.kind", Repr::FoldedText)),
            _ => None,
        }
    }
}

fn sql(filter: &str, dialect: Dialect) -> Translated {
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let filter: Filter = filter.parse().unwrap();
    translate(&filter, users, &Users, dialect, 1)
}

#[test]
fn values_are_bound_folded_and_escaped() {
    let t = sql(
        r#"userName eq "BJensen" and externalId eq "AbC""#,
        Dialect::Postgres,
    );
    assert_eq!(t.sql, "(u.user_name = $1 AND u.external_id = $2)");
    // userName is not caseExact: folded; externalId is: as sent.
    assert_eq!(
        t.params,
        [
            SqlValue::Text("bjensen".into()),
            SqlValue::Text("AbC".into())
        ]
    );
    let t = sql(r#"userName co "50%_\\""#, Dialect::Postgres);
    assert_eq!(t.params, [SqlValue::Text(r"%50\%\_\\%".into())]);
    assert!(t.sql.contains("LIKE $1 ESCAPE '\\'"));
    // SQLite's LIKE ignores case: no LIKE, no wildcards at all.
    let t = sql(r#"userName co "50%_""#, Dialect::Sqlite);
    assert_eq!(t.sql, "instr(u.user_name, ?1) > 0");
    // Outside a `not` a NULL reads as FALSE: bare, so that an index serves it.
    assert_eq!(
        sql(r#"userName eq "a""#, Dialect::Postgres).sql,
        "u.user_name = $1"
    );
    assert_eq!(t.params, [SqlValue::Text("50%_".into())]);
}

#[test]
fn not_never_meets_null() {
    // Without COALESCE, `NOT (NULL = 'x')` is NULL and drops users without a value,
    // which the evaluator keeps.
    let t = sql(r#"not (userName eq "x")"#, Dialect::Sqlite);
    assert_eq!(t.sql, "NOT COALESCE(u.user_name = ?1, FALSE)");
    // Two `not`s: NULL is FALSE again.
    let t = sql(r#"not (not (userName eq "x"))"#, Dialect::Sqlite);
    assert_eq!(t.sql, "NOT NOT u.user_name = ?1");
    // An EXISTS starts afresh: inside it, leaves are bare again.
    let t = sql(r#"not (emails[type eq "work"])"#, Dialect::Sqlite);
    assert!(t.sql.ends_with("e.kind = ?1)"), "{}", t.sql);
    let t = sql(r#"not (emails.value ew "@x.org")"#, Dialect::Sqlite);
    assert!(
        t.sql
            .starts_with("NOT EXISTS (SELECT 1 FROM user_emails e WHERE e.user_id = u.id AND "),
        "{}",
        t.sql
    );
}

#[test]
fn text_columns_fold_in_sql_and_instants_order() {
    // lower() agrees with fold_case on ASCII only: rows holding other text are kept
    // for the evaluator (a superset), and under a `not` left out (so that the negation
    // is a superset too).
    let t = sql(r#"displayName eq "Ann""#, Dialect::Postgres);
    assert_eq!(
        t.sql,
        "(lower(u.display_name) = lower($1) OR NOT COALESCE(octet_length(u.display_name) = char_length(u.display_name), TRUE))"
    );
    assert!(!t.exact);
    let t = sql(r#"not (displayName eq "Ann")"#, Dialect::Sqlite);
    assert_eq!(
        t.sql,
        "NOT (COALESCE(lower(u.display_name) = lower(?1), FALSE) AND length(CAST(u.display_name AS BLOB)) = length(u.display_name))"
    );
    // A non-ASCII value is not translated at all.
    let t = sql(r#"displayName eq "ÄRNE""#, Dialect::Sqlite);
    assert_eq!((t.sql.as_str(), t.exact), ("TRUE", false));
    // Text declared ASCII-only compares exactly with lower().
    let t = sql(r#"nickName eq "Ann""#, Dialect::Sqlite);
    assert_eq!(
        (t.sql.as_str(), t.exact),
        ("lower(u.nick) = lower(?1)", true)
    );
    let t = sql(
        r#"meta.lastModified gt "2011-05-13T06:42:34+02:00""#,
        Dialect::Postgres,
    );
    assert_eq!(t.sql, "u.updated_at COLLATE \"C\" > $1");
    assert_eq!(
        t.params,
        [SqlValue::Text("2011-05-13T04:42:34.000000000Z".into())]
    );
    // Not an instant, or a substring test on one: the evaluator decides.
    assert!(!sql(r#"meta.lastModified gt "yesterday""#, Dialect::Postgres).exact);
    assert!(!sql(r#"meta.lastModified sw "2011""#, Dialect::Postgres).exact);
}

#[test]
fn unsupported_parts_keep_a_superset() {
    // `title` is unmapped: TRUE under no `not`, FALSE under one.
    let t = sql(r#"userName eq "a" and title eq "b""#, Dialect::Sqlite);
    assert_eq!((t.sql.as_str(), t.exact), ("u.user_name = ?1", false));
    let t = sql(r#"userName eq "a" and not (title eq "b")"#, Dialect::Sqlite);
    assert_eq!((t.sql.as_str(), t.exact), ("u.user_name = ?1", false));
    let t = sql(r#"userName eq "a" or title eq "b""#, Dialect::Sqlite);
    assert_eq!((t.sql.as_str(), t.exact), ("TRUE", false));
    // Unknown attributes match nothing, as in the evaluator: exact.
    let t = sql(r#"userName eq "a" or nope eq "b""#, Dialect::Sqlite);
    assert_eq!((t.sql.as_str(), t.exact), ("u.user_name = ?1", true));
}

#[test]
fn folded_parts_leave_no_parameter_and_numbers_follow_first_param() {
    // `active gt true` can hold for no boolean: the conjunction is FALSE, and the
    // userName parameter goes with it.
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let filter: Filter = r#"userName eq "a" and active gt true"#.parse().unwrap();
    let t = translate(&filter, users, &Users, Dialect::Postgres, 3);
    assert_eq!((t.sql.as_str(), t.params.len()), ("FALSE", 0));
    let filter: Filter = r#"userName eq "a" or userName eq "b""#.parse().unwrap();
    let t = translate(&filter, users, &Users, Dialect::Postgres, 3);
    assert_eq!(t.sql, "(u.user_name = $3 OR u.user_name = $4)");
}

#[test]
fn value_paths_keep_conditions_on_one_element() {
    let t = sql(
        r#"emails[type eq "work" and value co "@example"]"#,
        Dialect::Postgres,
    );
    assert_eq!(
        t.sql,
        "EXISTS (SELECT 1 FROM user_emails e WHERE e.user_id = u.id AND \
         (e.kind = $1 AND e.address LIKE $2 ESCAPE '\\'))"
    );
    // `emails pr` needs an element with some value; `display`, `primary`... are
    // unmapped, so presence is left to the evaluator.
    let t = sql("emails pr", Dialect::Sqlite);
    assert_eq!((t.sql.as_str(), t.exact), ("TRUE", false));
}

#[test]
fn long_chains_nest_shallowly() {
    let ors: Vec<String> = (0..1000).map(|i| format!("userName eq \"u{i}\"")).collect();
    let filter: Filter = Filter::Or(ors.iter().map(|f| f.parse().unwrap()).collect());
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let t = translate(&filter, users, &Users, Dialect::Sqlite, 1);
    assert_eq!(t.params.len(), 1000);
    let mut depth = 0usize;
    let mut deepest = 0;
    for c in t.sql.chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth -= 1,
            _ => {}
        }
    }
    assert!(deepest <= 6, "{deepest}");
}
