//! Writes: each one transaction, uniqueness by primary key, versions by
//! compare-and-set.

use scim_core::patch::MemberDelta;
use scim_core::store::Version;
use scim_core::{PatchRequest, Resource, ResourceType, StoreError};
use serde_json::{Map, Value};
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use super::members::ResolvedMember;
use super::read::{Kind, Record, returned_record_columns, version_tag};
use super::{SqlStore, backend};
use crate::filter::Dialect;
use crate::search::{Columns, format_instant, project, unique_keys};

/// The current time as stored and shown in `meta` (RFC 7643 §3.1): UTC, nine
/// fraction digits, so that text order is time order.
pub(crate) fn now() -> Result<String, StoreError> {
    format_instant(OffsetDateTime::now_utc())
        .ok_or_else(|| StoreError::Invalid("the clock is outside years 0000-9999".to_owned()))
}

/// Splits the derived attribute off an incoming document: a Group's `members` are
/// returned, a User's read-only `groups` dropped (Okta sends `"groups": []`).
fn split_derived(
    doc: &mut Map<String, Value>,
    kind: Kind,
) -> Result<Option<Vec<Value>>, StoreError> {
    let Some(name) = kind.derived_attribute() else {
        return Ok(None);
    };
    let key = doc.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned();
    let value = key.and_then(|k| doc.shift_remove(&k));
    match (kind, value) {
        (Kind::Group, Some(Value::Array(members))) => Ok(Some(members)),
        (Kind::Group, None | Some(Value::Null)) => Ok(Some(Vec::new())),
        (Kind::Group, Some(_)) => Err(StoreError::Invalid(
            "members must be an array of member objects".to_owned(),
        )),
        _ => Ok(None),
    }
}

/// The document as stored: never `id` or `meta`, which the store sets.
fn stored_document(mut attributes: Map<String, Value>) -> Map<String, Value> {
    attributes.shift_remove("id");
    attributes.shift_remove("meta");
    attributes
}

/// PostgreSQL text and `jsonb` cannot hold NUL: refuse it as a bad value rather than
/// fail in the database.
fn check_nul(value: &Value) -> Result<(), StoreError> {
    let bad = match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => return items.iter().try_for_each(check_nul),
        Value::Object(members) => {
            for (k, v) in members {
                if k.contains('\0') {
                    return Err(nul());
                }
                check_nul(v)?;
            }
            false
        }
        _ => false,
    };
    if bad { Err(nul()) } else { Ok(()) }
}

fn nul() -> StoreError {
    StoreError::Invalid("text values cannot contain the NUL character".to_owned())
}

/// Honours `If-Match` (RFC 7644 §3.14): `*`, or the current version in weak or strong
/// form.
fn check_version(expected: Option<&str>, current: i64) -> Result<(), StoreError> {
    Version(u64::try_from(current).unwrap_or_default()).check(expected)
}

/// Whether a PATCH may change the attribute `name`: an operation's path names it, or
/// a path-less value carries it.
fn touches(patch: &PatchRequest, name: &str) -> bool {
    patch.operations.iter().any(|op| match &op.path {
        Some(path) => path.attribute.name.eq_ignore_ascii_case(name),
        None => op
            .value
            .as_ref()
            .and_then(Value::as_object)
            .is_none_or(|o| o.keys().any(|k| k.eq_ignore_ascii_case(name))),
    })
}

/// A document ready to write: the JSON texts and the columns.
struct Prepared {
    doc: String,
    search: String,
    columns: Columns,
}

impl SqlStore {
    fn prepare(&self, rt: &ResourceType, doc: &Map<String, Value>) -> Result<Prepared, StoreError> {
        let doc_value = Value::Object(doc.clone());
        if self.dialect == Dialect::Postgres {
            check_nul(&doc_value)?;
        }
        let search = project(rt, doc);
        Ok(Prepared {
            doc: doc_value.to_string(),
            search: search.to_string(),
            columns: Columns::of(doc),
        })
    }

    /// A JSON parameter: cast to `jsonb` on PostgreSQL.
    fn json(&self, n: usize) -> String {
        match self.dialect {
            Dialect::Postgres => format!("CAST(${n} AS JSONB)"),
            Dialect::Sqlite => format!("${n}"),
        }
    }

    /// Claims the unique values of `doc` for `id`, after releasing its old ones.
    async fn claim_unique(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        rt: &ResourceType,
        id: &str,
        doc: &Map<String, Value>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM scim_unique WHERE tenant = $1 AND resource_type = $2 AND id = $3")
            .bind(tenant)
            .bind(&rt.name)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        let group_display = Kind::of(rt) == Kind::Group && self.settings.unique_group_display_name;
        for key in unique_keys(rt, doc, group_display) {
            // A racing writer's row makes this wait for its commit, then do nothing.
            let done = sqlx::query(
                "INSERT INTO scim_unique (tenant, resource_type, attribute, value, id) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(tenant)
            .bind(&rt.name)
            .bind(key.attribute.as_str())
            .bind(key.value.as_str())
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict {
                    attribute: key.name,
                    value: key.value,
                });
            }
        }
        Ok(())
    }

    /// The current version of a resource, locked for this transaction on PostgreSQL.
    async fn current_version(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        rt: &ResourceType,
        id: &str,
    ) -> Result<i64, StoreError> {
        let lock = match self.dialect {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        };
        let sql = format!(
            "SELECT version FROM scim_resources WHERE tenant = $1 AND resource_type = $2 AND id = $3{lock}"
        );
        let row = sqlx::query(&sql)
            .bind(tenant)
            .bind(&rt.name)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
        row.try_get(0).map_err(backend)
    }

    /// Advances the version and `meta.lastModified` of `id` and returns its row as it
    /// now is (without the derived attribute), locking it for this transaction: one
    /// statement where a read, a lock and an update would be three. The version
    /// before is `version - 1`.
    async fn advance(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        rt: &ResourceType,
        id: &str,
        now: &str,
    ) -> Result<Record, StoreError> {
        let sql = format!(
            "UPDATE scim_resources SET version = version + 1, last_modified = $4 \
             WHERE tenant = $1 AND resource_type = $2 AND id = $3 RETURNING {}",
            returned_record_columns(self.dialect)
        );
        let row = sqlx::query(&sql)
            .bind(tenant)
            .bind(&rt.name)
            .bind(id)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
        Record::from_row(&row)
    }

    /// Writes a new document over version `version` of `id` (compare-and-set).
    #[expect(clippy::too_many_arguments, reason = "one write's full context")]
    async fn update_document(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        rt: &ResourceType,
        id: &str,
        version: i64,
        doc: &Map<String, Value>,
        now: &str,
    ) -> Result<(), StoreError> {
        let prepared = self.prepare(rt, doc)?;
        self.claim_unique(conn, tenant, rt, id, doc).await?;
        let sql = format!(
            "UPDATE scim_resources SET version = version + 1, last_modified = $5, \
             user_name = $6, display_name = $7, external_id = $8, display = $9, doc = {}, search = {} \
             WHERE tenant = $1 AND resource_type = $2 AND id = $3 AND version = $4",
            self.json(10),
            self.json(11)
        );
        let done = sqlx::query(&sql)
            .bind(tenant)
            .bind(&rt.name)
            .bind(id)
            .bind(version)
            .bind(now)
            .bind(prepared.columns.user_name)
            .bind(prepared.columns.display_name)
            .bind(prepared.columns.external_id)
            .bind(prepared.columns.display)
            .bind(prepared.doc)
            .bind(prepared.search)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            let current = self.current_version(conn, tenant, rt, id).await?;
            return Err(StoreError::PreconditionFailed {
                current: version_tag(current),
            });
        }
        Ok(())
    }

    pub(crate) async fn create_resource(
        &self,
        tenant: &str,
        rt: &ResourceType,
        resource: Resource,
    ) -> Result<Resource, StoreError> {
        let kind = Kind::of(rt);
        let mut attributes = resource.into_attributes();
        let members = split_derived(&mut attributes, kind)?;
        let doc = stored_document(attributes);
        let prepared = self.prepare(rt, &doc)?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = now()?;
        let mut tx = self.begin().await?;
        let members: Vec<ResolvedMember> = match members {
            Some(members) => self.resolve_members(&mut tx, tenant, &members).await?,
            None => Vec::new(),
        };
        self.claim_unique(&mut tx, tenant, rt, &id, &doc).await?;
        let sql = format!(
            "INSERT INTO scim_resources (tenant, resource_type, id, kind, version, created, \
             last_modified, user_name, display_name, external_id, display, doc, search) \
             VALUES ($1, $2, $3, $4, 1, $5, $5, $6, $7, $8, $9, {}, {})",
            self.json(10),
            self.json(11)
        );
        sqlx::query(&sql)
            .bind(tenant)
            .bind(&rt.name)
            .bind(id.as_str())
            .bind(kind.column())
            .bind(now.as_str())
            .bind(prepared.columns.user_name)
            .bind(prepared.columns.display_name)
            .bind(prepared.columns.external_id)
            .bind(prepared.columns.display)
            .bind(prepared.doc)
            .bind(prepared.search)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        let added = self.add_members(&mut tx, tenant, &id, &members).await?;
        // A member's `groups` changed: its version advances too.
        self.touch(&mut tx, tenant, &as_strs(&added), &now).await?;
        let created = self.load(&mut tx, tenant, rt, &id, true).await?;
        tx.commit().await.map_err(backend)?;
        Ok(created)
    }

    pub(crate) async fn replace_resource(
        &self,
        tenant: &str,
        rt: &ResourceType,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
    ) -> Result<Resource, StoreError> {
        let kind = Kind::of(rt);
        let now = now()?;
        let mut tx = self.begin().await?;
        let version = self.current_version(&mut tx, tenant, rt, id).await?;
        check_version(expected_version, version)?;
        let mut resource = resource;
        if has_write_only(rt) {
            // RFC 7644 §3.5.1: a PUT without `password` keeps the stored one (a
            // writeOnly value the client can never read back to resend).
            let stored = self.load(&mut tx, tenant, rt, id, false).await?;
            resource.keep_write_only_from(&stored, rt);
        }
        let mut attributes = resource.into_attributes();
        let members = split_derived(&mut attributes, kind)?;
        let doc = stored_document(attributes);
        if let Some(members) = members {
            // RFC 7644 §3.5.1: a Group body without `members` empties the group.
            let resolved = self.resolve_members(&mut tx, tenant, &members).await?;
            let changed = self.set_members(&mut tx, tenant, id, &resolved).await?;
            self.touch(&mut tx, tenant, &as_strs(&changed), &now)
                .await?;
        }
        self.update_document(&mut tx, tenant, rt, id, version, &doc, &now)
            .await?;
        let replaced = self.load(&mut tx, tenant, rt, id, true).await?;
        tx.commit().await.map_err(backend)?;
        Ok(replaced)
    }

    /// Applies a PATCH in one transaction. A Group PATCH that [`member_delta`]
    /// can express adds and removes rows of `scim_members` and never reads the
    /// member list; any other PATCH is applied to the loaded document.
    ///
    /// [`member_delta`]: PatchRequest::member_delta
    pub(crate) async fn patch_resource(
        &self,
        tenant: &str,
        rt: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
        derived: bool,
    ) -> Result<Resource, StoreError> {
        let kind = Kind::of(rt);
        let now = now()?;
        let mut tx = self.begin().await?;
        let delta = match kind {
            Kind::Group => patch.member_delta(rt),
            _ => None,
        };
        if let Some(delta) = &delta
            && delta.other.is_none()
        {
            return self
                .patch_members(tx, tenant, rt, id, delta, expected_version, derived, &now)
                .await;
        }
        let version = self.current_version(&mut tx, tenant, rt, id).await?;
        check_version(expected_version, version)?;
        // A member delta with other changes too (a rename, say): members by row, the
        // rest applied to the loaded document.
        if let Some(delta) = &delta
            && let Some(other) = &delta.other
        {
            let replace_all = match &delta.replace_all {
                Some(members) => Some(self.resolve_members(&mut tx, tenant, members).await?),
                None => None,
            };
            let add = self.resolve_members(&mut tx, tenant, &delta.add).await?;
            let mut resource = self.load(&mut tx, tenant, rt, id, false).await?;
            other.apply(&mut resource, rt)?;
            let mut attributes = resource.into_attributes();
            // `other` never carries members; drop any so the table stays the truth.
            split_derived(&mut attributes, kind)?;
            let doc = stored_document(attributes);
            let mut changed = Vec::new();
            if let Some(members) = replace_all {
                changed.extend(self.set_members(&mut tx, tenant, id, &members).await?);
            }
            changed.extend(self.add_members(&mut tx, tenant, id, &add).await?);
            let remove: Vec<&str> = delta.remove.iter().map(String::as_str).collect();
            changed.extend(self.remove_members(&mut tx, tenant, id, &remove).await?);
            // The members whose `groups` changed advance in one statement; the group
            // advances with its new document.
            self.update_document(&mut tx, tenant, rt, id, version, &doc, &now)
                .await?;
            self.touch(&mut tx, tenant, &as_strs(&changed), &now)
                .await?;
        } else {
            // The general path: load the document (a Group's members only when the
            // PATCH names them), apply, save.
            let with_members = kind == Kind::Group && touches(patch, "members");
            let mut resource = self.load(&mut tx, tenant, rt, id, with_members).await?;
            patch.apply(&mut resource, rt)?;
            let mut attributes = resource.into_attributes();
            let members = split_derived(&mut attributes, kind)?;
            if let (true, Some(members)) = (with_members, members) {
                let resolved = self.resolve_members(&mut tx, tenant, &members).await?;
                let changed = self.set_members(&mut tx, tenant, id, &resolved).await?;
                self.touch(&mut tx, tenant, &as_strs(&changed), &now)
                    .await?;
            }
            let doc = stored_document(attributes);
            self.update_document(&mut tx, tenant, rt, id, version, &doc, &now)
                .await?;
        }
        let patched = self.load(&mut tx, tenant, rt, id, derived).await?;
        tx.commit().await.map_err(backend)?;
        Ok(patched)
    }

    /// A PATCH of a Group's `members` alone: the group's row is advanced first (which
    /// locks it and reads it back in one statement), then the membership rows; the
    /// group's document is never read or rewritten. An add or a remove of one member
    /// is four round trips on PostgreSQL, `BEGIN` and `COMMIT` included.
    #[expect(clippy::too_many_arguments, reason = "one write's full context")]
    async fn patch_members(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Any>,
        tenant: &str,
        rt: &ResourceType,
        id: &str,
        delta: &MemberDelta,
        expected_version: Option<&str>,
        derived: bool,
        now: &str,
    ) -> Result<Resource, StoreError> {
        let record = self.advance(&mut tx, tenant, rt, id, now).await?;
        check_version(expected_version, record.version - 1)?;
        if let Some(members) = &delta.replace_all {
            let resolved = self.resolve_members(&mut tx, tenant, members).await?;
            let changed = self.set_members(&mut tx, tenant, id, &resolved).await?;
            self.touch_members(&mut tx, tenant, id, &changed, now)
                .await?;
        }
        self.add_members_touching(&mut tx, tenant, id, &delta.add, now)
            .await?;
        let remove: Vec<&str> = delta.remove.iter().map(String::as_str).collect();
        self.remove_members_touching(&mut tx, tenant, id, &remove, now)
            .await?;
        let patched = self
            .materialize(&mut tx, tenant, rt, vec![record], derived)
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound { id: id.to_owned() })?;
        tx.commit().await.map_err(backend)?;
        Ok(patched)
    }

    pub(crate) async fn delete_resource(
        &self,
        tenant: &str,
        rt: &ResourceType,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now()?;
        let mut tx = self.begin().await?;
        let version = self.current_version(&mut tx, tenant, rt, id).await?;
        check_version(expected_version, version)?;
        for sql in [
            "DELETE FROM scim_resources WHERE tenant = $1 AND resource_type = $2 AND id = $3",
            "DELETE FROM scim_unique WHERE tenant = $1 AND resource_type = $2 AND id = $3",
        ] {
            sqlx::query(sql)
                .bind(tenant)
                .bind(&rt.name)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        if Kind::of(rt) != Kind::Other {
            // A deleted group leaves its members' `groups`; a deleted user or group
            // leaves every group that listed it. Both ends' versions advance.
            let mut touched = Vec::new();
            for (sql, column) in [
                (
                    "DELETE FROM scim_members WHERE tenant = $1 AND group_id = $2",
                    "member_id",
                ),
                (
                    "DELETE FROM scim_members WHERE tenant = $1 AND member_id = $2",
                    "group_id",
                ),
            ] {
                let rows = match self.dialect {
                    Dialect::Postgres | Dialect::Sqlite => {
                        sqlx::query(&format!("{sql} RETURNING {column}"))
                            .bind(tenant)
                            .bind(id)
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(backend)?
                    }
                };
                for row in rows {
                    touched.push(row.try_get::<String, _>(0).map_err(backend)?);
                }
            }
            let touched: Vec<&str> = touched.iter().map(String::as_str).collect();
            self.touch(&mut tx, tenant, &touched, &now).await?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(())
    }
}

/// Whether `rt` has writeOnly attributes (User's `password`), which a replace must keep.
fn has_write_only(rt: &ResourceType) -> bool {
    rt.schema
        .attributes
        .iter()
        .any(|a| a.mutability == scim_core::schema::Mutability::WriteOnly)
}

fn as_strs(ids: &[String]) -> Vec<&str> {
    ids.iter().map(String::as_str).collect()
}
