//! Queries: the filter, sort and page run in the database; only what the database
//! cannot answer exactly (see [`crate::filter::Translated::exact`]) is checked in
//! Rust, over the rows the database narrowed down.

use scim_core::Filter;
use scim_core::filter::{AttrPath, CompValue, CompareOp, SortOrder, Visitor};
use scim_core::{Query, QueryResult, Resource, ResourceType, ScimError, StoreError};
use sqlx::Row;

use super::cursor::{self, Position};
use super::map::DocumentMap;
use super::read::{Kind, Record, record_columns};
use super::{SqlStore, backend};
use crate::filter::{AttrRef, Dialect, SqlValue, Translated, bind as bind_all, translate};

/// More parameters than this in one filter is `400 invalidFilter`: SQLite allows
/// 32 766 per statement, PostgreSQL 65 535.
const MAX_PARAMS: usize = 30_000;

/// The page statement of a query and what reading its rows needs.
struct PageStatement {
    sql: String,
    /// Parameters after the filter's.
    extra: Vec<SqlValue>,
    offset: u64,
    /// Whether the page's last row keys a cursor.
    keyset: bool,
}

/// The rows of one tenant and type that the filter selects (`$1`, `$2`, then the
/// filter's parameters).
fn scope(filter: &str) -> String {
    format!("r.tenant = $1 AND r.resource_type = $2 AND {filter}")
}

/// How the list is ordered in SQL.
enum Order {
    /// By creation.
    Seq,
    /// By a sort expression (text when `text`, so that it can key a cursor), then id.
    Key {
        sql: String,
        text: bool,
        order: SortOrder,
        /// The key is never `NULL` (a required attribute's column): an ascending
        /// keyset is then one row comparison, an index range scan.
        never_null: bool,
    },
    /// By id alone: the sort names no attribute of the schema (the evaluator's rule).
    Id,
}

impl SqlStore {
    fn seq(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgres => "r.seq",
            Dialect::Sqlite => "r.rowid",
        }
    }

    /// The order of a query, or `None` when the database cannot sort by it.
    fn order(&self, map: &DocumentMap, rt: &ResourceType, query: &Query) -> Option<Order> {
        let Some(sort) = &query.sort else {
            return Some(Order::Seq);
        };
        let Some(resolved) = rt.resolve(&sort.by) else {
            return Some(Order::Id);
        };
        let attr = AttrRef {
            extension: resolved.extension,
            attribute: resolved.attribute,
            sub_attribute: resolved.sub_attribute,
        };
        let target = match attr.sub_attribute {
            Some(sub) => sub,
            None if attr.attribute.is_complex() => attr.attribute.sub_attribute("value")?,
            None => attr.attribute,
        };
        let text = matches!(
            target.kind,
            scim_core::schema::AttributeType::String
                | scim_core::schema::AttributeType::Reference
                | scim_core::schema::AttributeType::Binary
                | scim_core::schema::AttributeType::DateTime
        );
        let sql = map.sort_key(&attr)?;
        Some(Order::Key {
            // `userName` is required (RFC 7643 §4.1.1), so its column is never NULL.
            never_null: sql == "r.user_name" && target.required,
            sql,
            text,
            order: sort.order,
        })
    }

    /// The database's plans for a query (`EXPLAIN` on PostgreSQL, `EXPLAIN QUERY PLAN`
    /// on SQLite), one line each: the count statement's, then the page statement's;
    /// for a filter the database cannot answer alone, the candidate scan's. To see
    /// which filters use an index.
    ///
    /// ```
    /// use scim_core::{Query, RequestContext, SchemaRegistry};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = scim_sqlx::SqlStore::connect("sqlite::memory:").await.unwrap();
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let mut query = Query::default();
    /// query.filter = Some(r#"userName eq "bjensen""#.parse().unwrap());
    /// let plan = store.explain(&RequestContext::new("acme"), users, &query).await.unwrap();
    /// assert!(plan.iter().any(|line| line.contains("scim_resources_user_name")), "{plan:?}");
    /// # });
    /// ```
    pub async fn explain(
        &self,
        ctx: &scim_core::RequestContext,
        rt: &ResourceType,
        query: &Query,
    ) -> Result<Vec<String>, StoreError> {
        let map = DocumentMap::new(self.dialect, rt);
        let translated = self.translate(&map, rt, query)?;
        let position = match &query.cursor {
            Some(c) => cursor::decode(rt, query, c)?,
            None => None,
        };
        let scope = scope(&translated.sql);
        let statements = match self.order(&map, rt, query) {
            Some(order) if translated.exact => {
                let page = self.page_statement(query, &translated, &order, position.as_ref())?;
                vec![
                    (
                        format!("SELECT COUNT(*) FROM scim_resources r WHERE {scope}"),
                        Vec::new(),
                    ),
                    (page.sql, page.extra),
                ]
            }
            // The fallback's batch statement, from the start.
            _ => vec![(self.scan_batch_sql(&translated), vec![SqlValue::Integer(0)])],
        };
        let prefix = match self.dialect {
            Dialect::Postgres => "EXPLAIN ",
            Dialect::Sqlite => "EXPLAIN QUERY PLAN ",
        };
        let mut lines = Vec::new();
        for (sql, extra) in statements {
            let sql = format!("{prefix}{sql}");
            let rows = bind_all(
                bind_all(
                    sqlx::query(&sql).bind(ctx.tenant.as_str()).bind(&rt.name),
                    &translated.params,
                ),
                &extra,
            )
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.query_error(e))?;
            for row in rows {
                // PostgreSQL: one text column; SQLite: (id, parent, notused, detail).
                let line: Result<String, _> = match self.dialect {
                    Dialect::Postgres => row.try_get(0),
                    Dialect::Sqlite => row.try_get(3),
                };
                lines.push(line.map_err(backend)?);
            }
            lines.push(String::new());
        }
        lines.pop();
        Ok(lines)
    }

    /// The filter as SQL, `TRUE` without one.
    fn translate(
        &self,
        map: &DocumentMap,
        rt: &ResourceType,
        query: &Query,
    ) -> Result<Translated, StoreError> {
        let translated = match &query.filter {
            Some(filter) => translate(filter, rt, map, self.dialect, 3),
            None => Translated {
                sql: "TRUE".to_owned(),
                params: Vec::new(),
                exact: true,
            },
        };
        if translated.params.len() > MAX_PARAMS {
            return Err(invalid_filter());
        }
        Ok(translated)
    }

    pub(crate) async fn run_query(
        &self,
        tenant: &str,
        rt: &ResourceType,
        query: &Query,
    ) -> Result<QueryResult, StoreError> {
        let map = DocumentMap::new(self.dialect, rt);
        let translated = self.translate(&map, rt, query)?;
        let position = match &query.cursor {
            Some(c) => cursor::decode(rt, query, c)?,
            None => None,
        };
        let derived = wants_derived(rt, query);
        match self.order(&map, rt, query) {
            Some(order) if translated.exact => {
                self.query_in_sql(tenant, rt, query, &translated, order, position, derived)
                    .await
            }
            _ => {
                self.query_in_rust(tenant, rt, query, &translated, position, derived)
                    .await
            }
        }
    }

    #[expect(clippy::too_many_arguments, reason = "one query's full context")]
    async fn query_in_sql(
        &self,
        tenant: &str,
        rt: &ResourceType,
        query: &Query,
        translated: &Translated,
        order: Order,
        position: Option<Position>,
        derived: bool,
    ) -> Result<QueryResult, StoreError> {
        let scope = scope(&translated.sql);
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        let count_sql = format!("SELECT COUNT(*) FROM scim_resources r WHERE {scope}");
        let total: i64 = bind_all(
            sqlx::query(&count_sql).bind(tenant).bind(&rt.name),
            &translated.params,
        )
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| self.query_error(e))?
        .try_get(0)
        .map_err(backend)?;
        let total = usize::try_from(total).unwrap_or(0);
        if query.count == Some(0) {
            return Ok(QueryResult::new(Vec::new(), total));
        }

        let cursor_mode = query.cursor.is_some();
        let page = self.page_statement(query, translated, &order, position.as_ref())?;
        let (page_sql, extra, offset, keyset) = (page.sql, page.extra, page.offset, page.keyset);
        let rows = bind_all(
            bind_all(
                sqlx::query(&page_sql).bind(tenant).bind(&rt.name),
                &translated.params,
            ),
            &extra,
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| self.query_error(e))?;

        let mut records = Vec::with_capacity(rows.len());
        let mut last: Option<(String, i64, Option<String>)> = None;
        for row in rows.iter().take(query.count.unwrap_or(usize::MAX)) {
            let record = Record::from_row(row)?;
            let seq: i64 = row.try_get(5).map_err(backend)?;
            let key: Option<String> = row.try_get(6).map_err(backend)?;
            last = Some((record.id.clone(), seq, key));
            records.push(record);
        }
        let more = cursor_mode && query.count.is_some_and(|c| rows.len() > c);
        let resources = self
            .materialize(&mut conn, tenant, rt, records, derived)
            .await?;
        let mut result = QueryResult::new(resources, total);
        if let (true, Some((id, seq, key))) = (more, last) {
            let next = match (&order, keyset) {
                (Order::Seq, _) => Position::AfterSeq(seq),
                (Order::Key { .. }, true) => Position::After { key, id },
                _ => Position::Offset(offset + query.count.unwrap_or(0) as u64),
            };
            result = result.with_next_cursor(cursor::encode(rt, query, &next));
        }
        Ok(result)
    }

    /// The page statement of a query: keyset or offset, the sort, the limit.
    fn page_statement(
        &self,
        query: &Query,
        translated: &Translated,
        order: &Order,
        position: Option<&Position>,
    ) -> Result<PageStatement, StoreError> {
        let cursor_mode = query.cursor.is_some();
        let scope = scope(&translated.sql);
        let mut next_param = 3 + translated.params.len();
        let mut extra: Vec<SqlValue> = Vec::new();
        let mut bind = |value: SqlValue, extra: &mut Vec<SqlValue>| {
            extra.push(value);
            next_param += 1;
            format!("${}", next_param - 1)
        };
        let (order_by, key_sql, keyset) = match order {
            Order::Seq => (format!("{} ASC", self.seq()), None, true),
            Order::Id => ("r.id ASC".to_owned(), None, false),
            Order::Key {
                sql, text, order, ..
            } => {
                let by = match order {
                    SortOrder::Descending => format!("{sql} DESC NULLS FIRST, r.id ASC"),
                    _ => format!("{sql} ASC NULLS LAST, r.id ASC"),
                };
                (by, Some(sql.clone()), *text)
            }
        };
        // Keyset paging where the order allows it; offsets otherwise.
        let mut after = String::new();
        let mut offset = query.start_index.saturating_sub(1) as u64;
        if cursor_mode {
            offset = 0;
            match (position, order) {
                (None, _) => {}
                (Some(Position::AfterSeq(seq)), Order::Seq) => {
                    let p = bind(SqlValue::Integer(*seq), &mut extra);
                    after = format!(" AND {} > {p}", self.seq());
                }
                (
                    Some(Position::After { key, id }),
                    Order::Key {
                        sql,
                        order,
                        never_null,
                        ..
                    },
                ) => {
                    let id = bind(SqlValue::Text(id.clone()), &mut extra);
                    after = match (key, order) {
                        (Some(k), SortOrder::Ascending) if *never_null => {
                            let k = bind(SqlValue::Text(k.clone()), &mut extra);
                            format!(" AND ({sql}, r.id) > ({k}, {id})")
                        }
                        (Some(k), SortOrder::Descending) => {
                            let k = bind(SqlValue::Text(k.clone()), &mut extra);
                            format!(" AND ({sql} < {k} OR ({sql} = {k} AND r.id > {id}))")
                        }
                        (Some(k), _) => {
                            let k = bind(SqlValue::Text(k.clone()), &mut extra);
                            format!(
                                " AND ({sql} > {k} OR ({sql} = {k} AND r.id > {id}) OR {sql} IS NULL)"
                            )
                        }
                        (None, SortOrder::Descending) => {
                            format!(" AND (({sql} IS NULL AND r.id > {id}) OR {sql} IS NOT NULL)")
                        }
                        (None, _) => format!(" AND {sql} IS NULL AND r.id > {id}"),
                    };
                }
                (Some(Position::Offset(o)), _) => offset = *o,
                _ => {
                    return Err(StoreError::Rejected(ScimError::bad_request(
                        scim_core::error::ScimType::InvalidCursor,
                        "the cursor is not one this server issued",
                    )));
                }
            }
        }
        let limit = match (query.count, cursor_mode) {
            // One more row than the page says whether there is a next page.
            (Some(count), true) => Some(count.saturating_add(1)),
            (count, _) => count,
        };
        // The rows of the page, by key: with an offset, the skipped rows are walked in
        // the sort's index (index-only where the filter allows) and only the page's
        // rows are read whole (a deferred join), so `startIndex=500001` does not read
        // 500 000 documents.
        let mut window = format!(
            "SELECT r.tenant, r.resource_type, r.id FROM scim_resources r \
             WHERE {scope}{after} ORDER BY {order_by}"
        );
        if let Some(limit) = limit {
            let p = bind(
                SqlValue::Integer(i64::try_from(limit).unwrap_or(i64::MAX)),
                &mut extra,
            );
            window.push_str(&format!(" LIMIT {p}"));
        } else if offset > 0 {
            window.push_str(match self.dialect {
                Dialect::Postgres => " LIMIT ALL",
                // SQLite wants a LIMIT before an OFFSET.
                _ => " LIMIT -1",
            });
        }
        if offset > 0 {
            let p = bind(
                SqlValue::Integer(i64::try_from(offset).unwrap_or(i64::MAX)),
                &mut extra,
            );
            window.push_str(&format!(" OFFSET {p}"));
        }
        let page_sql = format!(
            "SELECT {}, {} AS seq, {} AS sort_key FROM scim_resources r \
             JOIN ({window}) AS page \
               ON r.tenant = page.tenant AND r.resource_type = page.resource_type AND r.id = page.id \
             ORDER BY {order_by}",
            record_columns(self.dialect),
            self.seq(),
            match (&key_sql, keyset) {
                (Some(sql), true) => format!("CAST({sql} AS TEXT)"),
                _ => "NULL".to_owned(),
            }
        );
        Ok(PageStatement {
            sql: page_sql,
            extra,
            offset,
            keyset,
        })
    }

    /// The fallback for filters or sorts the database cannot answer exactly: the rows
    /// the translated (superset) filter selects are read in creation order, a few
    /// hundred per statement, and checked with
    /// [`scim_core::filter::PreparedFilter::matches`]; the page is cut in Rust, sorted
    /// with the evaluator's comparator when there is a sort.
    ///
    /// Memory stays bounded by the page, not by the table: unsorted, only the page's
    /// resources are kept; sorted, at most about twice `startIndex + count` of them
    /// (each batch is sorted and cut back). Members or groups are read for the rows
    /// checked only when the filter or the sort names them, and for the page only when
    /// the response shows them.
    async fn query_in_rust(
        &self,
        tenant: &str,
        rt: &ResourceType,
        query: &Query,
        translated: &Translated,
        position: Option<Position>,
        derived: bool,
    ) -> Result<QueryResult, StoreError> {
        let start = match (&query.cursor, position) {
            (Some(_), Some(Position::Offset(o))) => usize::try_from(o).unwrap_or(usize::MAX),
            (Some(_), None) => 0,
            (Some(_), Some(_)) => {
                return Err(StoreError::Rejected(ScimError::bad_request(
                    scim_core::error::ScimType::InvalidCursor,
                    "the cursor is not one this server issued",
                )));
            }
            (None, _) => query.start_index.saturating_sub(1),
        };
        let end = start.saturating_add(query.count.unwrap_or(usize::MAX));
        let kind = Kind::of(rt);
        let checks_derived = kind
            .derived_attribute()
            .is_some_and(|name| names_attribute(query, name));
        let prepared = query.filter.as_ref().map(|f| f.prepare(rt));
        let comparator = query.sort.as_ref().map(|sort| sort.comparator(rt));
        let sql = self.scan_batch_sql(translated);
        // One snapshot for every batch, so that the total and the page agree even while
        // others write (PostgreSQL's default gives each statement its own; SQLite's
        // deferred transaction reads one snapshot of the WAL).
        let mut conn = match self.dialect {
            Dialect::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
            Dialect::Sqlite => self.pool.begin().await,
        }
        .map_err(backend)?;
        let mut after = 0_i64;
        let mut total = 0_usize;
        let mut kept: Vec<Resource> = Vec::new();
        loop {
            let rows = bind_all(
                sqlx::query(&sql).bind(tenant).bind(&rt.name),
                &translated.params,
            )
            .bind(after)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| self.query_error(e))?;
            let full = rows.len() == SCAN_BATCH;
            if let Some(last) = rows.last() {
                after = last.try_get("seq").map_err(backend)?;
            }
            let records = rows
                .iter()
                .map(Record::from_row)
                .collect::<Result<Vec<_>, _>>()?;
            let resources = self
                .materialize(&mut conn, tenant, rt, records, checks_derived)
                .await?;
            for resource in resources {
                if !prepared.as_ref().is_none_or(|p| p.matches(&resource)) {
                    continue;
                }
                match &comparator {
                    // In creation order: the page is the matches from `start` to `end`.
                    None if (start..end).contains(&total) => kept.push(resource),
                    None => {}
                    Some(compare) => {
                        kept.push(resource);
                        // The comparator is a total order (ties go by id), so cutting
                        // back to the first `end` never changes the page.
                        if kept.len() >= end.saturating_mul(2).max(SCAN_BATCH) {
                            kept.sort_by(compare);
                            kept.truncate(end);
                        }
                    }
                }
                total += 1;
            }
            if !full {
                break;
            }
        }
        let mut page = match &comparator {
            None => kept,
            Some(compare) => {
                kept.sort_by(compare);
                kept.truncate(end);
                kept.split_off(start.min(kept.len()))
            }
        };
        if let Some(name) = kind.derived_attribute() {
            if derived && !checks_derived {
                self.add_derived(&mut conn, tenant, kind, name, &mut page)
                    .await?;
            } else if !derived {
                for resource in &mut page {
                    resource.attributes_mut().shift_remove(name);
                }
            }
        }
        // Read only: ending the transaction either way changes nothing.
        conn.commit().await.map_err(backend)?;
        let mut result = QueryResult::new(page, total);
        // `count=0` asks for the total only: no page, so no next one.
        if query.cursor.is_some() && end < total && query.count.is_some_and(|c| c > 0) {
            result =
                result.with_next_cursor(cursor::encode(rt, query, &Position::Offset(end as u64)));
        }
        Ok(result)
    }

    /// One batch of the fallback's walk: the rows of the tenant and type the superset
    /// filter selects, after the creation position bound last (`$3 + params`), in
    /// creation order, [`SCAN_BATCH`] at most. An index range on both backends
    /// (`scim_resources_seq`).
    fn scan_batch_sql(&self, translated: &Translated) -> String {
        format!(
            "SELECT {}, {seq} AS seq FROM scim_resources r \
             WHERE r.tenant = $1 AND r.resource_type = $2 AND ({}) AND {seq} > ${} \
             ORDER BY {seq} LIMIT {SCAN_BATCH}",
            record_columns(self.dialect),
            translated.sql,
            3 + translated.params.len(),
            seq = self.seq(),
        )
    }

    /// A failed query: its text goes to the log. A filter that makes the database give
    /// up (too deep, too many terms) is the client's `invalidFilter`, not a 500.
    fn query_error(&self, e: sqlx::Error) -> StoreError {
        let complexity = e.as_database_error().is_some_and(|d| {
            let m = d.message();
            m.contains("too large")
                || m.contains("too many")
                || m.contains("stack depth")
                || m.contains("too deep")
                || m.contains("too complex")
        });
        if complexity {
            tracing::info!(error = %e, "a filter was too complex for the database");
            invalid_filter()
        } else {
            backend(e)
        }
    }
}

fn invalid_filter() -> StoreError {
    StoreError::Rejected(ScimError::invalid_filter(
        "the filter is too complex to evaluate",
    ))
}

/// Rows per statement when the fallback walks the rows a superset filter selects.
const SCAN_BATCH: usize = 500;

/// Whether the filter or the sort of `query` reads the top-level attribute `name`
/// (checking them then needs it loaded).
fn names_attribute(query: &Query, name: &str) -> bool {
    struct Names<'a>(&'a str);
    impl Visitor for Names<'_> {
        type Output = bool;
        fn compare(&mut self, path: &AttrPath, _: CompareOp, _: &CompValue) -> bool {
            path.name.eq_ignore_ascii_case(self.0)
        }
        fn present(&mut self, path: &AttrPath) -> bool {
            path.name.eq_ignore_ascii_case(self.0)
        }
        fn and(&mut self, operands: Vec<bool>) -> bool {
            operands.contains(&true)
        }
        fn or(&mut self, operands: Vec<bool>) -> bool {
            operands.contains(&true)
        }
        fn not(&mut self, operand: bool) -> bool {
            operand
        }
        fn value_path(&mut self, path: &AttrPath, _: &Filter) -> bool {
            // The inner filter names sub-attributes of `path`.
            path.name.eq_ignore_ascii_case(self.0)
        }
    }
    let by_filter = query
        .filter
        .as_ref()
        .is_some_and(|f| f.accept(&mut Names(name)));
    let by_sort = query
        .sort
        .as_ref()
        .is_some_and(|s| s.by.name.eq_ignore_ascii_case(name));
    by_filter || by_sort
}

/// Whether the response will carry the derived attribute (`members` or `groups`):
/// not when `excludedAttributes` names it or `attributes` lists others only.
fn wants_derived(rt: &ResourceType, query: &Query) -> bool {
    let Some(name) = Kind::of(rt).derived_attribute() else {
        return false;
    };
    let excluded = query
        .excluded_attributes
        .iter()
        .any(|p: &AttrPath| p.sub_attribute.is_none() && p.name.eq_ignore_ascii_case(name));
    let listed = query
        .attributes
        .iter()
        .any(|p: &AttrPath| p.name.eq_ignore_ascii_case(name));
    !excluded && (query.attributes.is_empty() || listed)
}
