//! SCIM onto the app's own tables: `users`, `teams` and `team_members` (SQLite,
//! `schema.sql`). docs/own-tables.md walks through it.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::time::Duration;

use scim_core::filter::fold_case;
use scim_core::schema::RegistryError;
use scim_core::store::{Version, meta, timestamp_now};
use scim_core::{
    Filter, PatchRequest, Query, QueryResult, RequestContext, Resource, ResourceStore,
    ResourceType, SchemaRegistry, StoreError, async_trait,
};
use scim_sqlx::filter::{AttrRef, Column, ColumnMap, Dialect, Repr, SqlValue, normalize_instant};
use serde_json::{Map, Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Row, SqliteConnection, sqlite::SqliteRow};

/// The app's tables.
pub(crate) const SCHEMA: &str = include_str!("schema.sql");

/// What the tables hold: the built-in User and Group narrowed to these columns, so that
/// `/Schemas` says so and a write to anything else is `400` (not silently dropped).
pub(crate) fn registry() -> Result<SchemaRegistry, RegistryError> {
    let mut registry = SchemaRegistry::with_builtins();
    let user = "userName name.givenName name.familyName emails.value emails.type \
        emails.primary active externalId groups";
    registry.narrow("User", &user.split_whitespace().collect::<Vec<_>>())?;
    registry.narrow("Group", &["displayName", "members", "externalId"])?;
    Ok(registry)
}

/// The store. Readers share a pool; every write goes through a one-connection pool: one
/// writer, so two of our writes never meet SQLite's "database is locked".
#[derive(Debug, Clone)]
pub(crate) struct OwnTablesStore {
    read: SqlitePool,
    write: SqlitePool,
}

/// What a write does to the stored resource.
enum Change<'a> {
    Replace(Resource),
    Patch(&'a PatchRequest),
}

impl OwnTablesStore {
    /// Opens (creating) the database at `url`: WAL, a busy timeout, foreign keys on.
    pub(crate) async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let write = SqlitePoolOptions::new().max_connections(1);
        let write = write.connect_with(options.clone()).await?;
        sqlx::raw_sql(SCHEMA).execute(&write).await?;
        let read = SqlitePoolOptions::new().max_connections(4);
        let read = read.connect_with(options).await?;
        Ok(Self { read, write })
    }

    /// The ids the filter's SQL selects in a tenant, and whether exactly (else a superset
    /// for the evaluator to check). Public to the property test.
    pub(crate) async fn candidates(
        &self,
        tenant: &str,
        rt: &ResourceType,
        filter: Option<&Filter>,
    ) -> Result<(Vec<String>, bool), StoreError> {
        let (table, map): (_, &dyn ColumnMap) = match is_user(rt) {
            true => ("users u", &UserColumns),
            false => ("teams u", &TeamColumns),
        };
        let mut args = vec![json!(tenant)];
        let (condition, exact) = match filter {
            None => ("TRUE".to_owned(), true),
            Some(f) => {
                let t = scim_sqlx::filter::translate(f, rt, map, Dialect::Sqlite, 2);
                args.extend(t.params.into_iter().map(|p| match p {
                    SqlValue::Text(s) => json!(s),
                    SqlValue::Integer(i) => json!(i),
                    SqlValue::Real(r) => json!(r),
                    SqlValue::Bool(b) => json!(b),
                    _ => Value::Null,
                }));
                (t.sql, t.exact)
            }
        };
        let sql = format!("SELECT u.id FROM {table} WHERE u.tenant_id = ?1 AND {condition}");
        let mut conn = self.read.acquire().await.map_err(backend)?;
        let rows = exec(&mut conn, &sql, &args).await.map_err(backend)?;
        Ok((rows.iter().map(|r| r.get(0)).collect(), exact))
    }

    /// A replace or PATCH in one transaction on the writer, after the `If-Match` check.
    async fn write(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        expected: Option<&str>,
        change: Change<'_>,
    ) -> Result<Resource, StoreError> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        let current = read(&mut tx, &ctx.tenant, rt, id).await?;
        let version =
            Version::parse(current.version().unwrap_or_default()).unwrap_or(Version::FIRST);
        version.check(expected)?;
        // A PATCH of a team's members: `member_delta` gives the ids to add and remove.
        let delta = match change {
            Change::Patch(p) if !is_user(rt) => p.member_delta(rt),
            _ => None,
        };
        let mut next = match (change, delta) {
            (Change::Replace(r), _) => r,
            (Change::Patch(_), Some(delta)) => {
                let mut next = current.clone();
                if let Some(other) = &delta.other {
                    other.apply(&mut next, rt)?;
                }
                let mut ids = match delta.replace_all {
                    Some(_) => BTreeSet::new(),
                    None => member_ids(&current),
                };
                let added = delta.replace_all.iter().flatten().chain(&delta.add);
                ids.extend(added.filter_map(member_value));
                ids.retain(|m| !delta.remove.contains(m));
                let members = ids.into_iter().map(|v| json!({ "value": v })).collect();
                next.attributes_mut().insert("members".into(), members);
                next
            }
            (Change::Patch(p), None) => {
                let mut next = current.clone();
                p.apply(&mut next, rt)?;
                next
            }
        };
        next.attributes_mut().insert("id".into(), json!(id));
        save(
            &mut tx,
            &ctx.tenant,
            rt,
            &next,
            version.next(),
            Some(&current),
        )
        .await?;
        let saved = read(&mut tx, &ctx.tenant, rt, id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(saved)
    }
}

fn is_user(rt: &ResourceType) -> bool {
    rt.name == "User"
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

/// A unique-index violation is a SCIM `409 uniqueness`; any other failure a backend one.
fn conflict(attribute: &str, value: &str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match e.as_database_error() {
        Some(d) if d.is_unique_violation() => StoreError::Conflict {
            attribute: attribute.into(),
            value: value.into(),
        },
        _ => backend(e),
    }
}

/// Runs a statement with JSON values as its parameters (text, integer, real, bool, null).
async fn exec(
    conn: &mut SqliteConnection,
    sql: &str,
    args: &[Value],
) -> Result<Vec<SqliteRow>, sqlx::Error> {
    let mut q = sqlx::query(sql);
    for arg in args {
        q = match arg {
            Value::String(s) => q.bind(s.as_str()),
            Value::Bool(b) => q.bind(*b),
            Value::Number(n) if n.is_f64() => q.bind(n.as_f64()),
            Value::Number(n) => q.bind(n.as_i64()),
            _ => q.bind(None::<String>),
        };
    }
    q.fetch_all(conn).await
}

/// Timestamps as normalized instants, so that text order is time order and filters on
/// `meta.created` translate to plain comparisons.
fn now() -> Result<String, StoreError> {
    let now = timestamp_now()?;
    normalize_instant(&now).ok_or_else(|| StoreError::Invalid("the clock is out of range".into()))
}

/// A string at `outer` or `outer.inner`.
fn text(r: &Resource, outer: &str, inner: Option<&str>) -> Value {
    let v = r.get(outer);
    let v = match inner {
        Some(inner) => v.and_then(|v| v.get(inner)),
        None => v,
    };
    v.filter(|v| v.is_string()).cloned().unwrap_or_default()
}

fn member_value(m: &Value) -> Option<String> {
    m.get("value")?.as_str().map(str::to_owned)
}

fn member_ids(r: &Resource) -> BTreeSet<String> {
    let members = r.get("members").and_then(Value::as_array);
    members
        .into_iter()
        .flatten()
        .filter_map(member_value)
        .collect()
}

const INSERT_USER: &str = "INSERT INTO users (tenant_id, id, email, email_folded, contact_email, \
    contact_email_type, first_name, last_name, is_active, external_id, version, updated_at, \
    created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)";
const UPDATE_USER: &str = "UPDATE users SET email = ?3, email_folded = ?4, contact_email = ?5, \
    contact_email_type = ?6, first_name = ?7, last_name = ?8, is_active = ?9, external_id = ?10, \
    version = ?11, updated_at = ?12 WHERE tenant_id = ?1 AND id = ?2";
const INSERT_TEAM: &str = "INSERT INTO teams (tenant_id, id, name, name_folded, external_id, \
    version, updated_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
const UPDATE_TEAM: &str = "UPDATE teams SET name = ?3, name_folded = ?4, external_id = ?5, \
    version = ?6, updated_at = ?7 WHERE tenant_id = ?1 AND id = ?2";

/// Writes a resource's row (an insert when there is no `old` one) and a team's member
/// rows, and advances the version of every user whose `groups` changed.
async fn save(
    conn: &mut SqliteConnection,
    tenant: &str,
    rt: &ResourceType,
    r: &Resource,
    version: Version,
    old: Option<&Resource>,
) -> Result<(), StoreError> {
    let (id, now) = (r.id().unwrap_or_default(), now()?);
    let head = [json!(tenant), json!(id)];
    let tail = [text(r, "externalId", None), json!(version.0), json!(now)];
    if is_user(rt) {
        let email = text(r, "userName", None);
        let email = email.as_str().unwrap_or_default();
        let emails = r
            .get("emails")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if emails.len() > 1 {
            let detail = "emails: this app stores one email address per user";
            return Err(StoreError::Invalid(detail.into()));
        }
        let contact = |key: &str| emails.first().and_then(|e| e.get(key)).cloned();
        let active = r.get("active").and_then(Value::as_bool).unwrap_or(true);
        let columns = [
            json!(email),
            json!(fold_case(email)),
            contact("value").unwrap_or_default(),
            contact("type").unwrap_or_default(),
            text(r, "name", Some("givenName")),
            text(r, "name", Some("familyName")),
            json!(active),
        ];
        let sql = if old.is_some() {
            UPDATE_USER
        } else {
            INSERT_USER
        };
        let args: Vec<Value> = head.into_iter().chain(columns).chain(tail).collect();
        exec(conn, sql, &args)
            .await
            .map_err(conflict("userName", email))?;
        return Ok(());
    }
    let name = text(r, "displayName", None);
    let name = name.as_str().unwrap_or_default();
    let sql = if old.is_some() {
        UPDATE_TEAM
    } else {
        INSERT_TEAM
    };
    let columns = [json!(name), json!(fold_case(name))];
    let args: Vec<Value> = head.into_iter().chain(columns).chain(tail).collect();
    exec(conn, sql, &args)
        .await
        .map_err(conflict("displayName", name))?;
    let (before, after) = (old.map(member_ids).unwrap_or_default(), member_ids(r));
    for gone in before.difference(&after) {
        let sql = "DELETE FROM team_members WHERE team_id = ?1 AND user_id = ?2";
        exec(conn, sql, &[json!(id), json!(gone)])
            .await
            .map_err(backend)?;
    }
    for new in after.difference(&before) {
        let sql = "SELECT 1 FROM users WHERE tenant_id = ?1 AND id = ?2";
        if exec(conn, sql, &[json!(tenant), json!(new)])
            .await
            .map_err(backend)?
            .is_empty()
        {
            let detail = format!("members: {new} is no user of this tenant (teams hold users)");
            return Err(StoreError::Invalid(detail));
        }
        let sql = "INSERT INTO team_members (team_id, user_id) VALUES (?1, ?2)";
        exec(conn, sql, &[json!(id), json!(new)])
            .await
            .map_err(backend)?;
    }
    // Membership is a write of the member: its `groups` changed, so does its version.
    for user in before.symmetric_difference(&after) {
        touch_user(conn, user, &now).await?;
    }
    Ok(())
}

async fn touch_user(conn: &mut SqliteConnection, user: &str, now: &str) -> Result<(), StoreError> {
    let sql = "UPDATE users SET version = version + 1, updated_at = ?2 WHERE id = ?1";
    exec(conn, sql, &[json!(user), json!(now)])
        .await
        .map_err(backend)?;
    Ok(())
}

const GROUPS_OF: &str = "SELECT t.id, t.name FROM team_members m JOIN teams t \
    ON t.id = m.team_id WHERE m.user_id = ?1 ORDER BY t.id";
const MEMBERS_OF: &str = "SELECT u.id, u.email FROM team_members m JOIN users u \
    ON u.id = m.user_id WHERE m.team_id = ?1 ORDER BY u.id";

/// Reads one resource: its row, and its membership rows as `groups` or `members`.
async fn read(
    conn: &mut SqliteConnection,
    tenant: &str,
    rt: &ResourceType,
    id: &str,
) -> Result<Resource, StoreError> {
    let table = if is_user(rt) { "users" } else { "teams" };
    let sql = format!("SELECT * FROM {table} WHERE tenant_id = ?1 AND id = ?2");
    let found = exec(conn, &sql, &[json!(tenant), json!(id)])
        .await
        .map_err(backend)?;
    let row = found
        .first()
        .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
    let s = |column: &str| row.get::<Option<String>, _>(column);
    let mut out = Map::new();
    out.insert("schemas".into(), json!([rt.schema.id]));
    out.insert("id".into(), json!(id));
    if let Some(external_id) = s("external_id") {
        out.insert("externalId".into(), json!(external_id));
    }
    let (attribute, sql, kind) = if is_user(rt) {
        out.insert("userName".into(), json!(s("email")));
        let name = [
            ("givenName", s("first_name")),
            ("familyName", s("last_name")),
        ];
        let name: Map<_, _> = name
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), json!(v?))))
            .collect();
        if !name.is_empty() {
            out.insert("name".into(), Value::Object(name));
        }
        if let Some(value) = s("contact_email") {
            let mut email = Map::from_iter([("value".to_owned(), json!(value))]);
            if let Some(kind) = s("contact_email_type") {
                email.insert("type".into(), json!(kind));
            }
            email.insert("primary".into(), json!(true));
            out.insert("emails".into(), json!([email]));
        }
        out.insert("active".into(), json!(row.get::<bool, _>("is_active")));
        ("groups", GROUPS_OF, "direct")
    } else {
        out.insert("displayName".into(), json!(s("name")));
        ("members", MEMBERS_OF, "User")
    };
    let related = exec(conn, sql, &[json!(id)]).await.map_err(backend)?;
    let related: Vec<Value> = related
        .iter()
        .map(|r| json!({"value": r.get::<String, _>(0), "display": r.get::<String, _>(1), "type": kind}))
        .collect();
    if !related.is_empty() {
        out.insert(attribute.into(), Value::Array(related));
    }
    let version = Version(u64::try_from(row.get::<i64, _>("version")).unwrap_or_default());
    let (created, modified): (String, String) = (row.get("created_at"), row.get("updated_at"));
    out.insert("meta".into(), meta(&rt.name, &created, &modified, version));
    Ok(Resource::new_unchecked(rt.name.clone(), out))
}

#[async_trait]
impl ResourceStore for OwnTablesStore {
    async fn create(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        mut resource: Resource,
    ) -> Result<Resource, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        resource.attributes_mut().insert("id".into(), json!(id));
        let mut tx = self.write.begin().await.map_err(backend)?;
        save(&mut tx, &ctx.tenant, rt, &resource, Version::FIRST, None).await?;
        let created = read(&mut tx, &ctx.tenant, rt, &id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(created)
    }

    async fn get(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
    ) -> Result<Resource, StoreError> {
        let mut conn = self.read.acquire().await.map_err(backend)?;
        read(&mut conn, &ctx.tenant, rt, id).await
    }

    async fn replace(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        resource: Resource,
        expected: Option<&str>,
    ) -> Result<Resource, StoreError> {
        self.write(ctx, rt, id, expected, Change::Replace(resource))
            .await
    }

    async fn patch(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected: Option<&str>,
    ) -> Result<Resource, StoreError> {
        self.write(ctx, rt, id, expected, Change::Patch(patch))
            .await
    }

    async fn delete(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        expected: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await.map_err(backend)?;
        let current = read(&mut tx, &ctx.tenant, rt, id).await?;
        let version =
            Version::parse(current.version().unwrap_or_default()).unwrap_or(Version::FIRST);
        version.check(expected)?;
        let now = now()?;
        for user in member_ids(&current) {
            touch_user(&mut tx, &user, &now).await?;
        }
        // A user's teams lose a member: a write of each team.
        let sql = "UPDATE teams SET version = version + 1, updated_at = ?2 \
            WHERE id IN (SELECT team_id FROM team_members WHERE user_id = ?1)";
        exec(&mut tx, sql, &[json!(id), json!(now)])
            .await
            .map_err(backend)?;
        let table = if is_user(rt) { "users" } else { "teams" };
        let sql = format!("DELETE FROM {table} WHERE tenant_id = ?1 AND id = ?2");
        exec(&mut tx, &sql, &[json!(ctx.tenant), json!(id)])
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    /// The filter runs in SQL; when its translation is inexact the evaluator checks each
    /// candidate. Sorting and paging happen here, over the matches (a larger app pushes
    /// an exact filter's `ORDER BY` and `LIMIT` into SQL, and counts with `COUNT(*)`).
    async fn query(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        query: &Query,
    ) -> Result<QueryResult, StoreError> {
        let (ids, exact) = self
            .candidates(&ctx.tenant, rt, query.filter.as_ref())
            .await?;
        let check = query
            .filter
            .as_ref()
            .filter(|_| !exact)
            .map(|f| f.prepare(rt));
        let mut conn = self.read.acquire().await.map_err(backend)?;
        let mut matches = Vec::with_capacity(ids.len());
        for id in ids {
            let resource = read(&mut conn, &ctx.tenant, rt, &id).await?;
            if check.as_ref().is_none_or(|f| f.matches(&resource)) {
                matches.push(resource);
            }
        }
        matches.sort_by(|a, b| match &query.sort {
            Some(sort) => sort.compare(a, b, rt).then_with(|| a.id().cmp(&b.id())),
            None => a.id().cmp(&b.id()),
        });
        let total = matches.len();
        let skip = query.start_index.saturating_sub(1);
        let page = matches
            .into_iter()
            .skip(skip)
            .take(query.count.unwrap_or(usize::MAX));
        Ok(QueryResult::new(page.collect(), total))
    }
}

/// Where the `users` columns hold each User attribute, for the filter translator. What
/// is not here (`meta.resourceType`, value paths on `emails`) the evaluator decides.
pub(crate) struct UserColumns;

impl ColumnMap for UserColumns {
    fn column(&self, attr: &AttrRef<'_>) -> Option<Column> {
        let (sql, repr) = match attr.names() {
            ("id", None) => ("u.id", Repr::Text),
            ("userName", None) => ("u.email_folded", Repr::FoldedText),
            ("name", Some("givenName")) => ("u.first_name", Repr::Text),
            ("name", Some("familyName")) => ("u.last_name", Repr::Text),
            ("emails", Some("value")) => ("u.contact_email", Repr::Text),
            ("emails", Some("type")) => ("u.contact_email_type", Repr::Text),
            ("active", None) => ("u.is_active", Repr::Bool),
            ("externalId", None) => ("u.external_id", Repr::Text),
            ("meta", Some("created")) => ("u.created_at", Repr::Instant),
            ("meta", Some("lastModified")) => ("u.updated_at", Repr::Instant),
            ("groups", Some("value")) => {
                let (from, on) = ("team_members gm", "gm.user_id = u.id");
                return Some(Column::rows(from, on, "gm.team_id", Repr::Text));
            }
            _ => return None,
        };
        Some(Column::scalar(sql, repr))
    }
}

/// Where the `teams` columns hold each Group attribute.
pub(crate) struct TeamColumns;

impl ColumnMap for TeamColumns {
    fn column(&self, attr: &AttrRef<'_>) -> Option<Column> {
        let (sql, repr) = match attr.names() {
            ("id", None) => ("u.id", Repr::Text),
            ("displayName", None) => ("u.name_folded", Repr::FoldedText),
            ("externalId", None) => ("u.external_id", Repr::Text),
            ("meta", Some("created")) => ("u.created_at", Repr::Instant),
            ("meta", Some("lastModified")) => ("u.updated_at", Repr::Instant),
            ("members", Some("value")) => {
                let (from, on) = ("team_members tm", "tm.team_id = u.id");
                return Some(Column::rows(from, on, "tm.user_id", Repr::Text));
            }
            _ => return None,
        };
        Some(Column::scalar(sql, repr))
    }
}
