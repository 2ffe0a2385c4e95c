//! Group membership in `scim_members`: resolving member references, adding and
//! removing rows, and advancing the versions of the resources a change touches.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use scim_core::StoreError;
use scim_core::store::{MemberRef, UnknownMembers};
use serde_json::Value;
use sqlx::{AnyConnection, Row};

use super::read::{CHUNK, placeholders};
use super::{SqlStore, backend, storable_id};
use crate::filter::Dialect;

/// The member references of a request as (id, display) ([`MemberRef`]); duplicates keep
/// their first occurrence.
fn wanted_members(members: &[Value]) -> Result<Vec<(String, Option<String>)>, StoreError> {
    let mut wanted: Vec<(String, Option<String>)> = Vec::with_capacity(members.len());
    let mut seen = HashSet::with_capacity(members.len());
    for member in members {
        let MemberRef { value, display, .. } = MemberRef::parse(member)?;
        if seen.insert(value) {
            wanted.push((value.to_owned(), display.map(str::to_owned)));
        }
    }
    Ok(wanted)
}

/// PostgreSQL: locks, in id order, the members named by the CTE `added` whose
/// `groups` a membership change altered, leaving out the group itself (`$2`, already
/// advanced by the caller): every writer locks rows in one order, so two changes that
/// touch the same users cannot deadlock.
const LOCK_MEMBERS: &str = "locked AS (SELECT id FROM scim_resources \
    WHERE tenant = $1 AND kind IS NOT NULL AND id <> $2 \
    AND id IN (SELECT member_id FROM added) ORDER BY id FOR UPDATE)";

/// PostgreSQL: advances the version and `meta.lastModified` (`$3`) of the rows
/// [`LOCK_MEMBERS`] locked.
const TOUCH_LOCKED: &str = "touched AS (UPDATE scim_resources SET version = version + 1, \
    last_modified = $3 WHERE tenant = $1 AND kind IS NOT NULL AND id IN (SELECT id FROM locked))";

/// A member reference checked against the tenant: id, resource type name, the
/// `display` the client sent.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedMember {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) display: Option<String>,
}

/// `ids` without those no row can hold ([`storable_id`]), borrowed when every one can.
fn storable_ids<'a, 'b>(ids: &'b [&'a str]) -> Cow<'b, [&'a str]> {
    if ids.iter().all(|id| storable_id(id)) {
        Cow::Borrowed(ids)
    } else {
        Cow::Owned(ids.iter().copied().filter(|id| storable_id(id)).collect())
    }
}

impl SqlStore {
    /// Checks member references: each must be an object whose `value` is the id of a
    /// User or Group of this tenant; unknown ids are an error or dropped, as
    /// configured. Duplicates keep their first occurrence.
    pub(crate) async fn resolve_members(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        members: &[Value],
    ) -> Result<Vec<ResolvedMember>, StoreError> {
        let wanted = wanted_members(members)?;
        let mut kinds: HashMap<String, String> = HashMap::with_capacity(wanted.len());
        // An id no row can hold is not sent: it is unknown, in its place in the order.
        let storable: Vec<&str> = wanted
            .iter()
            .map(|(id, _)| id.as_str())
            .filter(|id| storable_id(id))
            .collect();
        for chunk in storable.chunks(CHUNK) {
            let sql = format!(
                "SELECT id, resource_type FROM scim_resources \
                 WHERE tenant = $1 AND kind IS NOT NULL AND id IN ({})",
                placeholders(2, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(tenant);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut *conn).await.map_err(backend)? {
                let id: String = row.try_get(0).map_err(backend)?;
                let kind: String = row.try_get(1).map_err(backend)?;
                kinds.insert(id, kind);
            }
        }
        let mut resolved = Vec::with_capacity(wanted.len());
        for (id, display) in wanted {
            match kinds.remove(&id) {
                Some(kind) => resolved.push(ResolvedMember { id, kind, display }),
                None => self.unknown_member(&id)?,
            }
        }
        Ok(resolved)
    }

    /// An id that names no User or Group of the tenant: an error, or dropped silently
    /// when so configured.
    fn unknown_member(&self, id: &str) -> Result<(), StoreError> {
        match self.settings.unknown_members {
            UnknownMembers::Reject => Err(StoreError::Invalid(format!(
                "member {id:?} is not a User or Group of this tenant"
            ))),
            // `Ignore`, and whatever later variants mean by default: drop it.
            _ => Ok(()),
        }
    }

    /// Adds members to a group and advances the version of each one added (its
    /// `groups` changed); members already in the group keep their place and version.
    ///
    /// On PostgreSQL the lookup, the insert and the version update are one statement
    /// per few hundred members (one round trip for the usual single member); SQLite,
    /// an in-process library, runs them as three.
    pub(crate) async fn add_members_touching(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        group: &str,
        members: &[Value],
        now: &str,
    ) -> Result<(), StoreError> {
        if members.is_empty() {
            return Ok(());
        }
        if self.dialect == Dialect::Sqlite {
            let resolved = self.resolve_members(conn, tenant, members).await?;
            let added = self.add_members(conn, tenant, group, &resolved).await?;
            return self.touch_members(conn, tenant, group, &added, now).await;
        }
        let wanted = wanted_members(members)?;
        // Two parameters a member, after the tenant, the group and the time.
        for chunk in wanted.chunks(CHUNK / 2) {
            // An id no row can hold is not sent; the check below finds it unknown.
            let sent: Vec<&(String, Option<String>)> =
                chunk.iter().filter(|(id, _)| storable_id(id)).collect();
            let mut found = HashSet::with_capacity(sent.len());
            if !sent.is_empty() {
                let rows: Vec<String> = (0..sent.len())
                    .map(|i| {
                        let k = 4 + 2 * i;
                        if i == 0 {
                            format!("(CAST(${k} AS TEXT), CAST(${} AS TEXT), {i})", k + 1)
                        } else {
                            format!("(${k}, ${}, {i})", k + 1)
                        }
                    })
                    .collect();
                // Data-modifying CTEs all run, in one snapshot: `found` sees the tenant's
                // resources, `added` only the rows it inserted, and `touched` advances
                // exactly those members, locked in id order first (`LOCK_MEMBERS`).
                let sql = format!(
                    "WITH wanted (id, display, ord) AS (VALUES {}), \
                     found AS (SELECT w.id, r.resource_type, w.display, w.ord FROM wanted w \
                       JOIN scim_resources r ON r.tenant = $1 AND r.kind IS NOT NULL AND r.id = w.id), \
                     added AS (INSERT INTO scim_members (tenant, group_id, member_id, member_type, display) \
                       SELECT $1, $2, id, resource_type, display FROM found ORDER BY ord \
                       ON CONFLICT DO NOTHING RETURNING member_id), \
                     {LOCK_MEMBERS}, {TOUCH_LOCKED} \
                     SELECT id FROM found",
                    rows.join(", ")
                );
                let mut query = sqlx::query(&sql).bind(tenant).bind(group).bind(now);
                for (id, display) in sent {
                    query = query.bind(id.as_str()).bind(display.as_deref());
                }
                for row in query.fetch_all(&mut *conn).await.map_err(backend)? {
                    found.insert(row.try_get::<String, _>(0).map_err(backend)?);
                }
            }
            // An id that names nothing, the first in the client's order, fails the
            // write (the transaction rolls back what this statement did) or is dropped.
            for (id, _) in chunk {
                if !found.contains(id) {
                    self.unknown_member(id)?;
                }
            }
        }
        Ok(())
    }

    /// Removes members from a group and advances the version of each one removed.
    /// One statement per few hundred members on PostgreSQL, two on SQLite.
    pub(crate) async fn remove_members_touching(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        group: &str,
        members: &[&str],
        now: &str,
    ) -> Result<(), StoreError> {
        if members.is_empty() {
            return Ok(());
        }
        if self.dialect == Dialect::Sqlite {
            let removed = self.remove_members(conn, tenant, group, members).await?;
            return self.touch_members(conn, tenant, group, &removed, now).await;
        }
        // An id no row can hold is in no group: nothing to send for it.
        for chunk in storable_ids(members).chunks(CHUNK) {
            let sql = format!(
                "WITH removed AS (DELETE FROM scim_members WHERE tenant = $1 AND group_id = $2 \
                   AND member_id IN ({}) RETURNING member_id AS member_id), \
                 added AS (SELECT member_id FROM removed), \
                 {LOCK_MEMBERS}, {TOUCH_LOCKED} \
                 SELECT 1",
                placeholders(4, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(tenant).bind(group).bind(now);
            for member in chunk {
                query = query.bind(*member);
            }
            query.execute(&mut *conn).await.map_err(backend)?;
        }
        Ok(())
    }

    /// Adds members to a group, a few hundred rows per statement; members already in it
    /// keep their place. Returns the ids added, whose versions the caller advances
    /// (with [`SqlStore::touch`], once for everything the write changed).
    pub(crate) async fn add_members(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        group: &str,
        members: &[ResolvedMember],
    ) -> Result<Vec<String>, StoreError> {
        let mut added = Vec::new();
        // Three parameters a row, after the tenant and the group.
        for chunk in members.chunks(CHUNK / 3) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let k = 3 + 3 * i;
                    format!("($1, $2, ${k}, ${}, ${})", k + 1, k + 2)
                })
                .collect();
            let sql = format!(
                "INSERT INTO scim_members (tenant, group_id, member_id, member_type, display) \
                 VALUES {} ON CONFLICT DO NOTHING RETURNING member_id",
                rows.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(tenant).bind(group);
            for member in chunk {
                query = query
                    .bind(member.id.as_str())
                    .bind(member.kind.as_str())
                    .bind(member.display.as_deref());
            }
            for row in query.fetch_all(&mut *conn).await.map_err(backend)? {
                added.push(row.try_get::<String, _>(0).map_err(backend)?);
            }
        }
        Ok(added)
    }

    /// Removes members from a group, a few hundred per statement. Returns the ids
    /// removed, whose versions the caller advances.
    pub(crate) async fn remove_members(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        group: &str,
        members: &[&str],
    ) -> Result<Vec<String>, StoreError> {
        let mut removed = Vec::new();
        // An id no row can hold is in no group: nothing to send for it.
        for chunk in storable_ids(members).chunks(CHUNK) {
            let sql = format!(
                "DELETE FROM scim_members WHERE tenant = $1 AND group_id = $2 \
                 AND member_id IN ({}) RETURNING member_id",
                placeholders(3, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(tenant).bind(group);
            for member in chunk {
                query = query.bind(*member);
            }
            for row in query.fetch_all(&mut *conn).await.map_err(backend)? {
                removed.push(row.try_get::<String, _>(0).map_err(backend)?);
            }
        }
        Ok(removed)
    }

    /// Makes `members` the whole member list of `group`: members already present keep
    /// their place, the others are removed or added. Returns the ids added or removed.
    pub(crate) async fn set_members(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        group: &str,
        members: &[ResolvedMember],
    ) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT member_id FROM scim_members WHERE tenant = $1 AND group_id = $2")
                .bind(tenant)
                .bind(group)
                .fetch_all(&mut *conn)
                .await
                .map_err(backend)?;
        let mut current = HashSet::with_capacity(rows.len());
        for row in rows {
            current.insert(row.try_get::<String, _>(0).map_err(backend)?);
        }
        let wanted: HashSet<&str> = members.iter().map(|m| m.id.as_str()).collect();
        let gone: Vec<&str> = current
            .iter()
            .map(String::as_str)
            .filter(|id| !wanted.contains(id))
            .collect();
        let mut changed = self.remove_members(conn, tenant, group, &gone).await?;
        let new: Vec<ResolvedMember> = members
            .iter()
            .filter(|m| !current.contains(&m.id))
            .cloned()
            .collect();
        changed.extend(self.add_members(conn, tenant, group, &new).await?);
        Ok(changed)
    }

    /// Advances the versions of the members whose `groups` a change of `group` altered;
    /// the group itself, when it is its own member, was advanced by the caller already.
    pub(crate) async fn touch_members(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        group: &str,
        members: &[String],
        now: &str,
    ) -> Result<(), StoreError> {
        let members: Vec<&str> = members
            .iter()
            .map(String::as_str)
            .filter(|id| *id != group)
            .collect();
        self.touch(conn, tenant, &members, now).await
    }

    /// Advances the version and `meta.lastModified` of Users and Groups by id: their
    /// derived `groups` or `members` changed.
    pub(crate) async fn touch(
        &self,
        conn: &mut AnyConnection,
        tenant: &str,
        ids: &[&str],
        now: &str,
    ) -> Result<(), StoreError> {
        // One order for every writer, so that two of them lock rows alike.
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "UPDATE scim_resources SET version = version + 1, last_modified = $2 \
                 WHERE tenant = $1 AND kind IS NOT NULL AND id IN ({})",
                placeholders(3, chunk.len())
            );
            let mut query = sqlx::query(&sql).bind(tenant).bind(now);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *conn).await.map_err(backend)?;
        }
        Ok(())
    }
}
