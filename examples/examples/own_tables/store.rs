//! SCIM onto the app's own tables: `users`, `teams` and `team_members`, on SQLite
//! (`schema.sqlite.sql`) or PostgreSQL (`schema.postgres.sql`). docs/own-tables.md walks
//! through it.

use scim_core::filter::fold_case;
use scim_core::schema::RegistryError;
use scim_core::store::{Version, meta, timestamp_now};
use scim_core::{
    Filter, PatchRequest, Query, QueryResult, RequestContext, Resource, ResourceStore,
    ResourceType, SchemaRegistry, ScimError, StoreError, async_trait,
};
use scim_sqlx::Database;
use scim_sqlx::filter::{Columns, Dialect, Repr, bind, bind_json, normalize_instant};
use serde_json::{Map, Value, json};
use sqlx::{AnyConnection, Row, any::AnyRow};

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

/// The store, on the pools [`Database`] sets up: on SQLite WAL, a busy timeout and one
/// writer connection, so two writes never meet "database is locked".
#[derive(Debug, Clone)]
pub(crate) struct OwnTablesStore {
    db: Database,
    users: Columns,
    teams: Columns,
}

impl OwnTablesStore {
    /// The store on `db`, creating the tables if they are missing.
    pub(crate) async fn open(db: Database) -> Result<Self, sqlx::Error> {
        let schema = match db.dialect() {
            Dialect::Postgres => include_str!("schema.postgres.sql"),
            _ => include_str!("schema.sqlite.sql"),
        };
        sqlx::raw_sql(schema).execute(db.write()).await?;
        let (users, teams) = columns();
        Ok(Self { db, users, teams })
    }

    /// The ids the filter's SQL selects in a tenant, and whether exactly (else a superset
    /// for the evaluator to check). Public to the property test.
    pub(crate) async fn candidates(
        &self,
        tenant: &str,
        rt: &ResourceType,
        filter: Option<&Filter>,
    ) -> Result<(Vec<String>, bool), StoreError> {
        let (table, map) = match is_user(rt) {
            true => ("users u", &self.users),
            false => ("teams u", &self.teams),
        };
        let t = filter.map(|f| scim_sqlx::filter::translate(f, rt, map, self.db.dialect(), 2));
        let (condition, exact) = t.as_ref().map_or(("TRUE", true), |t| (&t.sql, t.exact));
        let sql = format!("SELECT u.id FROM {table} WHERE u.tenant_id = $1 AND {condition}");
        let params = t.as_ref().map(|t| t.params.as_slice()).unwrap_or_default();
        let rows = bind(sqlx::query(&sql).bind(tenant), params)
            .fetch_all(self.db.read())
            .await
            .map_err(backend)?;
        Ok((rows.iter().map(|r| r.get(0)).collect(), exact))
    }

    /// A replace or PATCH in one transaction on the writer, after the `If-Match` check.
    async fn write(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        expected: Option<&str>,
        change: impl FnOnce(Resource) -> Result<Resource, ScimError>,
    ) -> Result<Resource, StoreError> {
        let mut tx = self.db.begin().await.map_err(backend)?;
        let lock = self.db.for_update();
        let current = read(&mut tx, &ctx.tenant, rt, id, lock).await?;
        let version = Version::of(&current);
        version.check(expected)?;
        // The whole resource is at hand (a team's members are rows of ids), so a PATCH
        // applies to it; `save` writes only the member rows that changed.
        let mut next = change(current.clone())?;
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
        let saved = read(&mut tx, &ctx.tenant, rt, id, "").await?;
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

/// Runs a statement with JSON values as its parameters.
async fn run(conn: &mut AnyConnection, sql: &str, args: &[Value]) -> sqlx::Result<Vec<AnyRow>> {
    bind_json(sqlx::query(sql), args).fetch_all(conn).await
}

/// [`run`], any failure a backend one.
async fn exec(
    conn: &mut AnyConnection,
    sql: &str,
    args: &[Value],
) -> Result<Vec<AnyRow>, StoreError> {
    run(conn, sql, args).await.map_err(backend)
}

/// Timestamps as normalized instants, so that text order is time order and filters on
/// `meta.created` translate to plain comparisons.
fn now() -> Result<String, StoreError> {
    let now = timestamp_now()?;
    normalize_instant(&now).ok_or_else(|| StoreError::Invalid("the clock is out of range".into()))
}

/// The string at `outer` or `outer.inner`, else `null`.
fn text(r: &Resource, outer: &str, inner: Option<&str>) -> Value {
    let v = r.get(outer);
    let v = v.and_then(|v| inner.map_or(Some(v), |i| v.get(i)));
    v.filter(|v| v.is_string()).cloned().unwrap_or_default()
}

/// The member ids of a team (or the team ids of a user's `groups`).
fn member_ids(r: &Resource) -> std::collections::BTreeSet<String> {
    let members = r.get("members").and_then(Value::as_array);
    let value = |m: &Value| Some(m.get("value")?.as_str()?.to_owned());
    members.into_iter().flatten().filter_map(value).collect()
}

const INSERT_USER: &str = "INSERT INTO users (tenant_id, id, email, email_folded, contact_email, \
    contact_email_type, first_name, last_name, is_active, external_id, version, updated_at, \
    created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)";
const UPDATE_USER: &str = "UPDATE users SET email = $3, email_folded = $4, contact_email = $5, \
    contact_email_type = $6, first_name = $7, last_name = $8, is_active = $9, external_id = $10, \
    version = $11, updated_at = $12 WHERE tenant_id = $1 AND id = $2";
const INSERT_TEAM: &str = "INSERT INTO teams (tenant_id, id, name, name_folded, external_id, \
    version, updated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)";
const UPDATE_TEAM: &str = "UPDATE teams SET name = $3, name_folded = $4, external_id = $5, \
    version = $6, updated_at = $7 WHERE tenant_id = $1 AND id = $2";

/// Writes a resource's row (an insert when there is no `old` one) and a team's member
/// rows, and advances the version of every user whose `groups` changed.
async fn save(
    conn: &mut AnyConnection,
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
        let emails = r.get("emails").and_then(Value::as_array);
        let emails = emails.cloned().unwrap_or_default();
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
        let sql = old.map_or(INSERT_USER, |_| UPDATE_USER);
        let args: Vec<Value> = head.into_iter().chain(columns).chain(tail).collect();
        run(conn, sql, &args)
            .await
            .map_err(conflict("userName", email))?;
        return Ok(());
    }
    let name = text(r, "displayName", None);
    let name = name.as_str().unwrap_or_default();
    let sql = old.map_or(INSERT_TEAM, |_| UPDATE_TEAM);
    let columns = [json!(name), json!(fold_case(name))];
    let args: Vec<Value> = head.into_iter().chain(columns).chain(tail).collect();
    run(conn, sql, &args)
        .await
        .map_err(conflict("displayName", name))?;
    let (before, after) = (old.map(member_ids).unwrap_or_default(), member_ids(r));
    for gone in before.difference(&after) {
        let sql = "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2";
        exec(conn, sql, &[json!(id), json!(gone)]).await?;
    }
    for new in after.difference(&before) {
        // Only a user of the same tenant joins: no row inserted is no such user.
        let sql = "INSERT INTO team_members (team_id, user_id) SELECT $1, id FROM users \
            WHERE tenant_id = $2 AND id = $3 RETURNING user_id";
        if exec(conn, sql, &[json!(id), json!(tenant), json!(new)])
            .await?
            .is_empty()
        {
            let detail = format!("members: {new} is no user of this tenant (teams hold users)");
            return Err(StoreError::Invalid(detail));
        }
    }
    // Membership is a write of the member: its `groups` changed, so does its version.
    for user in before.symmetric_difference(&after) {
        exec(conn, TOUCH_USER, &[json!(user), json!(now)]).await?;
    }
    Ok(())
}

const TOUCH_USER: &str = "UPDATE users SET version = version + 1, updated_at = $2 WHERE id = $1";

const GROUPS_OF: &str = "SELECT t.id, t.name FROM team_members m JOIN teams t \
    ON t.id = m.team_id WHERE m.user_id = $1 ORDER BY t.id";
const MEMBERS_OF: &str = "SELECT u.id, u.email FROM team_members m JOIN users u \
    ON u.id = m.user_id WHERE m.team_id = $1 ORDER BY u.id";

/// Reads one resource: its row, and its membership rows as `groups` or `members`.
async fn read(
    conn: &mut AnyConnection,
    tenant: &str,
    rt: &ResourceType,
    id: &str,
    lock: &str,
) -> Result<Resource, StoreError> {
    let table = if is_user(rt) { "users" } else { "teams" };
    let sql = format!("SELECT * FROM {table} WHERE tenant_id = $1 AND id = $2{lock}");
    let found = exec(conn, &sql, &[json!(tenant), json!(id)]).await?;
    let row = found
        .first()
        .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
    let s = |column: &str| row.get::<Option<String>, _>(column);
    let mut out = Map::new();
    out.insert("schemas".into(), json!([rt.schema.id]));
    out.insert("id".into(), json!(id));
    out.insert("externalId".into(), json!(s("external_id")));
    let (attribute, sql, kind) = if is_user(rt) {
        // BOOLEAN on PostgreSQL, an integer on SQLite.
        let active = row.try_get("is_active");
        let active = active.or_else(|_| row.try_get::<i64, _>("is_active").map(|n| n != 0));
        let email = s("contact_email").map(
            |value| json!([{"value": value, "type": s("contact_email_type"), "primary": true}]),
        );
        out.insert("userName".into(), json!(s("email")));
        out.insert(
            "name".into(),
            json!({"givenName": s("first_name"), "familyName": s("last_name")}),
        );
        out.insert("emails".into(), json!(email));
        out.insert("active".into(), json!(active.map_err(backend)?));
        ("groups", GROUPS_OF, "direct")
    } else {
        out.insert("displayName".into(), json!(s("name")));
        ("members", MEMBERS_OF, "User")
    };
    let related = exec(conn, sql, &[json!(id)]).await?;
    let related: Vec<Value> = related
        .iter()
        .map(|r| json!({"value": r.get::<String, _>(0), "display": r.get::<String, _>(1), "type": kind}))
        .collect();
    out.insert(attribute.into(), Value::Array(related));
    let version = Version(u64::try_from(row.get::<i64, _>("version")).unwrap_or_default());
    let (created, modified): (String, String) = (row.get("created_at"), row.get("updated_at"));
    out.insert("meta".into(), meta(&rt.name, &created, &modified, version));
    let Value::Object(out) = without_empty(Value::Object(out)) else {
        return Err(StoreError::Invalid("a row is no resource".into()));
    };
    Ok(Resource::new_unchecked(rt.name.clone(), out))
}

/// `value` without the nulls, empty arrays and empty objects of unset columns: what a
/// client sees of an attribute without a value is no attribute (RFC 7643 §2.5).
fn without_empty(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, without_empty(v)))
                .filter(|(_, v)| !matches!(v, Value::Null) && v != &json!({}) && v != &json!([]))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_empty).collect()),
        other => other,
    }
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
        let mut tx = self.db.begin().await.map_err(backend)?;
        save(&mut tx, &ctx.tenant, rt, &resource, Version::FIRST, None).await?;
        let created = read(&mut tx, &ctx.tenant, rt, &id, "").await?;
        tx.commit().await.map_err(backend)?;
        Ok(created)
    }

    async fn get(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
    ) -> Result<Resource, StoreError> {
        let mut conn = self.db.read().acquire().await.map_err(backend)?;
        read(&mut conn, &ctx.tenant, rt, id, "").await
    }

    async fn replace(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        resource: Resource,
        expected: Option<&str>,
    ) -> Result<Resource, StoreError> {
        self.write(ctx, rt, id, expected, |_| Ok(resource)).await
    }

    async fn patch(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected: Option<&str>,
    ) -> Result<Resource, StoreError> {
        let apply = |mut current: Resource| patch.apply(&mut current, rt).map(|()| current);
        self.write(ctx, rt, id, expected, apply).await
    }

    async fn delete(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        expected: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await.map_err(backend)?;
        let current = read(&mut tx, &ctx.tenant, rt, id, self.db.for_update()).await?;
        Version::of(&current).check(expected)?;
        let now = now()?;
        for user in member_ids(&current) {
            exec(&mut tx, TOUCH_USER, &[json!(user), json!(now)]).await?;
        }
        // A user's teams lose a member: a write of each team.
        let sql = "UPDATE teams SET version = version + 1, updated_at = $2 \
            WHERE id IN (SELECT team_id FROM team_members WHERE user_id = $1)";
        exec(&mut tx, sql, &[json!(id), json!(now)]).await?;
        let table = if is_user(rt) { "users" } else { "teams" };
        let sql = format!("DELETE FROM {table} WHERE tenant_id = $1 AND id = $2");
        exec(&mut tx, &sql, &[json!(ctx.tenant), json!(id)]).await?;
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
        let mut conn = self.db.read().acquire().await.map_err(backend)?;
        let mut matches = Vec::with_capacity(ids.len());
        for id in ids {
            let resource = read(&mut conn, &ctx.tenant, rt, &id, "").await?;
            if check.as_ref().is_none_or(|f| f.matches(&resource)) {
                matches.push(resource);
            }
        }
        Ok(QueryResult::from_matches(matches, query, rt))
    }
}

/// Where the columns hold each attribute, for the filter translator: of `users` (as
/// `u`), then of `teams`. What is not here (`meta.resourceType`, value paths on
/// `emails`) the evaluator decides.
fn columns() -> (Columns, Columns) {
    use Repr::Text;
    let common = || {
        Columns::new()
            .scalar("id", "u.id", Text)
            .scalar("externalId", "u.external_id", Text)
            .scalar("meta.created", "u.created_at", Repr::Instant)
            .scalar("meta.lastModified", "u.updated_at", Repr::Instant)
    };
    let users = common()
        .scalar("userName", "u.email_folded", Repr::FoldedText)
        .scalar("name.givenName", "u.first_name", Text)
        .scalar("name.familyName", "u.last_name", Text)
        .scalar("emails.value", "u.contact_email", Text)
        .scalar("emails.type", "u.contact_email_type", Text)
        .scalar("active", "u.is_active", Repr::Bool)
        .rows(
            "groups.value",
            "team_members gm",
            "gm.user_id = u.id",
            "gm.team_id",
            Text,
        );
    let teams = common()
        .scalar("displayName", "u.name_folded", Repr::FoldedText)
        .rows(
            "members.value",
            "team_members tm",
            "tm.team_id = u.id",
            "tm.user_id",
            Text,
        );
    (users, teams)
}
