//! The body of a resource written straight from the in-memory store's stored form: the
//! shared document, its `id` and `meta` kept apart, a User's `groups`, a Group's member
//! rows. Nothing is copied, rendered into a second document or freed on the way; the
//! bytes are those [`Context::render`] gives for the whole resource, key for key, which
//! the tests check under many projections.

use serde_json::{Map, Value};

use super::member_rows::{Fields, MembersJson, write_str, write_utf8};
use super::refs::RefPrefixes;
use super::{Context, with_ref};
use crate::filter::{Projection, SubAttributes};
use crate::resource::{Resource, Written};
use crate::schema::attribute::Attribute;
use crate::schema::builtin;
use crate::schema::definition::ResourceType;
use crate::store::retrieved::StoredParts;
use crate::store::{MemberRows, Retrieved};

/// The general path must write the resource: it does not come in the stored form, or
/// its document holds a name in another spelling than its attribute's (only a document
/// that was never validated does), which the general path respells.
pub(super) struct General;

/// Writes a resource retrieved in its stored form, whose `meta.version` is `version`
/// (the `ETag` already made of it); `Err(General)` when the general path must do it.
pub(super) fn write(
    ctx: &Context<'_>,
    rt: &ResourceType,
    retrieved: &Retrieved,
    version: &str,
    projection: &Projection,
    out: &mut Vec<u8>,
) -> Result<(), General> {
    let (resource, members, Some(parts)) = retrieved.parts() else {
        return Err(General);
    };
    let mut body = Body {
        ctx,
        rt,
        projection,
        out,
        first: true,
        per_request: false,
    };
    body.out.push(b'{');
    body.document(resource, &parts.id)?;
    body.rows("groups", &parts.groups);
    body.rows("members", members);
    body.meta(parts, version);
    body.out.push(b'}');
    Ok(())
}

/// The object being written.
struct Body<'b, 'c> {
    ctx: &'b Context<'c>,
    rt: &'b ResourceType,
    projection: &'b Projection,
    out: &'b mut Vec<u8>,
    /// No member written yet at this level.
    first: bool,
    /// Something written depends on the request, not only on the document (a `$ref`
    /// holds the request's base URL).
    per_request: bool,
}

/// The largest body of a document kept with it (see [`Body::document`]): a rich user's
/// is under 2 KiB; a larger document is written afresh each time rather than held twice.
const MAX_KEPT: usize = 4 * 1024;

/// Where to go back to when what was begun turns out empty.
#[derive(Clone, Copy)]
struct Mark {
    len: usize,
    first: bool,
}

impl Body<'_, '_> {
    fn mark(&self) -> Mark {
        Mark {
            len: self.out.len(),
            first: self.first,
        }
    }

    fn rollback(&mut self, mark: Mark) {
        self.out.truncate(mark.len);
        self.first = mark.first;
    }

    /// `"key":`, after a comma unless it is the first at this level.
    fn key(&mut self, key: &str) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
        // Serializing a `&str` into a `Vec` cannot fail.
        let _ = write_str(self.out, key);
        self.out.push(b':');
    }

    /// A simple attribute's value, as `serde_json` writes it. Strings (and arrays of
    /// them, such as `schemas`) take the copy-whole path of [`write_str`]; the rest is
    /// left to `serde_json`.
    fn value(&mut self, value: &Value) {
        match value {
            Value::String(text) => {
                let _ = write_str(self.out, text);
            }
            Value::Bool(true) => self.out.extend_from_slice(b"true"),
            Value::Bool(false) => self.out.extend_from_slice(b"false"),
            Value::Array(items) => {
                self.out.push(b'[');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        self.out.push(b',');
                    }
                    self.value(item);
                }
                self.out.push(b']');
            }
            // Serializing a `Value` into a `Vec` cannot fail.
            other => {
                let _ = serde_json::to_writer(&mut *self.out, other);
            }
        }
    }

    /// The document's attributes with `id` among them (after `schemas` when it comes
    /// first, else first), with the default projection copied from what an earlier
    /// response of this server wrote of this very document, when there is one; else
    /// written, and kept with the document when nothing in it depended on the request and
    /// the request reads (`GET`): a document read is read again (each sync cycle lists or
    /// reads every user), while one just created or changed may never be, and would hold
    /// its body for nothing. `id` is not kept (the document does not hold it) but written
    /// where it goes, each time.
    fn document(&mut self, resource: &Resource, id: &str) -> Result<(), General> {
        let keepable = self.projection.is_default();
        let written = resource.written();
        if keepable
            && let Some(kept) = written.get()
            && kept.writer == self.ctx.writer
            && let Some((before_id, after_id)) = kept.bytes.split_at_checked(kept.id_at)
        {
            self.out.extend_from_slice(before_id);
            self.first = before_id.is_empty();
            self.id(id);
            self.out.extend_from_slice(after_id);
            return Ok(());
        }
        let start = self.out.len();
        let mut attributes = resource.attributes().iter().peekable();
        if let Some((key, value)) = attributes.next_if(|(key, _)| *key == "schemas") {
            self.attribute(key, value)?;
        }
        let id_at = self.out.len();
        self.id(id);
        let id_end = self.out.len();
        for (key, value) in attributes {
            self.attribute(key, value)?;
        }
        if keepable
            && !self.per_request
            && self.ctx.parts.method == http::Method::GET
            && let (Some(before_id), Some(after_id)) =
                (self.out.get(start..id_at), self.out.get(id_end..))
            && before_id.len() + after_id.len() <= MAX_KEPT
        {
            // Another response may have kept it meanwhile: the same bytes.
            let _ = written.set(Written {
                writer: self.ctx.writer,
                bytes: [before_id, after_id].concat().into(),
                id_at: before_id.len(),
            });
        }
        Ok(())
    }

    fn id(&mut self, id: &str) {
        // `id` is always returned: only a projection asks whether it is kept.
        if self.projection.is_default()
            || builtin::common_attribute("id")
                .is_some_and(|a| self.projection.kept(a, None, self.rt).is_some())
        {
            self.key("id");
            let _ = write_str(self.out, id);
        }
    }

    /// A top-level member of the document: a core or common attribute, or an extension
    /// object; anything else is left out, as projection leaves it.
    fn attribute(&mut self, key: &str, value: &Value) -> Result<(), General> {
        let rt = self.rt;
        if let Some(extension) = rt.extension_schema(key) {
            let Value::Object(object) = value else {
                return Ok(());
            };
            // `$ref`s are rendered under the extension's exact URN only.
            let refs = *key == extension.id;
            let mark = self.mark();
            self.key(key);
            self.out.push(b'{');
            self.first = true;
            for (name, inner) in object {
                let Some(attribute) = extension.attribute_named(name) else {
                    continue;
                };
                if attribute.name != *name {
                    return Err(General);
                }
                self.projected(attribute, Some(&extension.id), inner, refs);
            }
            if self.first {
                self.rollback(mark);
            } else {
                self.out.push(b'}');
                self.first = false;
            }
            return Ok(());
        }
        let Some(attribute) = rt
            .schema
            .attribute_named(key)
            .or_else(|| builtin::common_attribute(key))
        else {
            return Ok(());
        };
        if attribute.name != *key {
            return Err(General);
        }
        self.projected(attribute, None, value, true);
        Ok(())
    }

    /// What the projection keeps of `attribute`, with the `$ref` of each element when it
    /// has one (and `refs`).
    fn projected(
        &mut self,
        attribute: &Attribute,
        extension: Option<&str>,
        value: &Value,
        refs: bool,
    ) {
        let Some(subs) = self.projection.kept(attribute, extension, self.rt) else {
            return;
        };
        if !attribute.is_complex() {
            self.key(&attribute.name);
            self.value(value);
            return;
        }
        let mut prefixes =
            refs.then(|| with_ref(attribute))
                .flatten()
                .map(|(attribute, reference)| {
                    RefPrefixes::new(self.ctx.registry, &self.ctx.base, attribute, reference)
                });
        self.per_request |= prefixes.is_some();
        let mark = self.mark();
        self.key(&attribute.name);
        match value {
            Value::Object(element) => {
                if !self.element(attribute, &subs, element, prefixes.as_mut()) {
                    self.rollback(mark);
                }
            }
            Value::Array(items) => {
                self.out.push(b'[');
                let mut any = false;
                for item in items {
                    let before = self.out.len();
                    if any {
                        self.out.push(b',');
                    }
                    let kept = match item {
                        Value::Object(element) => {
                            self.element(attribute, &subs, element, prefixes.as_mut())
                        }
                        other => {
                            self.value(other);
                            true
                        }
                    };
                    if kept {
                        any = true;
                    } else {
                        self.out.truncate(before);
                    }
                }
                if any {
                    self.out.push(b']');
                } else {
                    self.rollback(mark);
                }
            }
            other => self.value(other),
        }
    }

    /// One element of a complex attribute: the sub-attributes kept, with its `$ref`
    /// (replacing one it holds, in place, or appended). `false` when nothing is kept.
    fn element(
        &mut self,
        attribute: &Attribute,
        subs: &SubAttributes<'_>,
        element: &Map<String, Value>,
        prefixes: Option<&mut RefPrefixes<'_>>,
    ) -> bool {
        let keeps = |name: &str| attribute.sub_attribute(name).is_some_and(|s| subs.keeps(s));
        // The element is looked into only when the attribute has a `$ref` to render.
        let reference = prefixes.and_then(|prefixes| {
            let id = element.get("value").and_then(Value::as_str)?;
            let kind = element.get("type").and_then(Value::as_str);
            prefixes.prefix(kind).map(|prefix| {
                let mut url = String::with_capacity(prefix.url.len() + id.len());
                url.push_str(&prefix.url);
                url.push_str(id);
                url
            })
        });
        let reference = reference.filter(|_| keeps("$ref"));
        let mut first = true;
        let mut separator = |out: &mut Vec<u8>| {
            out.push(if std::mem::take(&mut first) {
                b'{'
            } else {
                b','
            });
        };
        let mut wrote_reference = false;
        for (name, value) in element {
            if !keeps(name) {
                continue;
            }
            separator(self.out);
            let _ = write_str(self.out, name);
            self.out.push(b':');
            match &reference {
                Some(url) if name == "$ref" => {
                    let _ = write_str(self.out, url);
                    wrote_reference = true;
                }
                _ => self.value(value),
            }
        }
        if let Some(url) = reference.filter(|_| !wrote_reference) {
            separator(self.out);
            self.out.extend_from_slice(b"\"$ref\":");
            let _ = write_str(self.out, &url);
        }
        if first {
            return false;
        }
        self.out.push(b'}');
        true
    }

    /// A Group's `members` or a User's `groups` from rows, when the projection keeps
    /// any of them.
    fn rows(&mut self, name: &str, rows: &MemberRows) {
        if rows.is_empty() {
            return;
        }
        let Some(attribute) = self.rt.schema.attribute_named(name) else {
            return;
        };
        let Some(fields) = Fields::of(attribute, self.projection, self.rt) else {
            return;
        };
        let rows = MembersJson::new(rows, fields, attribute, self.ctx);
        if rows.any() {
            self.key(&attribute.name);
            let _ = rows.write(self.out);
        }
    }

    /// `meta` (always returned): as the store keeps it, with `resourceType` and
    /// `location` as rendering sets them.
    fn meta(&mut self, parts: &StoredParts, version: &str) {
        let Some(meta) = builtin::common_attribute("meta") else {
            return;
        };
        // Every sub-attribute of `meta` is returned by default (RFC 7643 §3.1): the
        // default projection keeps them all without being asked about each.
        let subs = if self.projection.is_default() {
            None
        } else {
            let Some(subs) = self.projection.kept(meta, None, self.rt) else {
                return;
            };
            Some(subs)
        };
        let keeps = |name: &str| {
            subs.as_ref()
                .is_none_or(|subs| meta.sub_attribute(name).is_some_and(|s| subs.keeps(s)))
        };
        let location = self.ctx.location(self.rt, &parts.id);
        // Each name with its `"name":`, written as it is (none needs escaping).
        macro_rules! field {
            ($name:literal, $text:expr) => {
                ($name, concat!("\"", $name, "\":").as_bytes(), $text)
            };
        }
        let fields: [(&str, &[u8], &[u8]); 5] = [
            field!("resourceType", self.rt.name.as_bytes()),
            field!("created", parts.created.as_bytes()),
            field!("lastModified", parts.last_modified.as_bytes()),
            field!("version", version.as_bytes()),
            field!("location", location.as_bytes()),
        ];
        let mark = self.mark();
        self.key("meta");
        self.out.push(b'{');
        self.first = true;
        for (name, quoted, text) in fields {
            if keeps(name) {
                if !std::mem::take(&mut self.first) {
                    self.out.push(b',');
                }
                self.out.extend_from_slice(quoted);
                let _ = write_utf8(self.out, text);
            }
        }
        if self.first {
            self.rollback(mark);
        } else {
            self.out.push(b'}');
            self.first = false;
        }
    }
}

#[cfg(test)]
mod tests;
