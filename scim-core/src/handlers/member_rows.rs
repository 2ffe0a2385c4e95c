//! A Group's members written from the store's rows straight into the response body,
//! each with its `$ref`: a group of 100 000 members costs no 100 000 JSON objects
//! built, rendered, projected and freed. The body is the one [`Context::render`] would
//! give for the whole resource, member for member and key for key.

use bytes::Bytes;
use http::header::{ETAG, LOCATION};
use http::{Response, StatusCode};
use serde_json::{Map, Value};

use super::refs::{Prefix, RefPrefixes};
use super::{Context, stored_body, with_ref};
use crate::filter::Projection;
use crate::resource::Resource;
use crate::schema::attribute::Attribute;
use crate::schema::definition::ResourceType;
use crate::store::{MemberRow, MemberRows, Retrieved};
use crate::wire::etag;

impl Context<'_> {
    /// The response for a resource a store retrieved: as
    /// [`resource_response`](Self::resource_response) gives for
    /// [`Retrieved::into_resource`] (with `Location` when `with_location`), without
    /// building the members' objects (and, from the in-memory store, without copying the
    /// document).
    pub(crate) fn retrieved_response(
        &self,
        status: StatusCode,
        rt: &ResourceType,
        retrieved: Retrieved,
        projection: &Projection,
        with_location: bool,
    ) -> Response<Bytes> {
        // Made once: the `ETag` and the body's `meta.version` are the same text. A
        // version that is already an entity tag, in printable ASCII (as every store's
        // `W/"n"` is), becomes the header value as it is, and the body reads it back
        // from there.
        let version = retrieved.version().map(std::borrow::Cow::into_owned);
        let (etag, version) = match version {
            Some(version) if self.config.etag && etag::is_plain_tag(&version) => {
                (crate::wire::header_value(version), None)
            }
            version => (self.etag_of(version.as_deref()), version),
        };
        let version = version
            .as_deref()
            .or_else(|| etag.as_ref().and_then(|tag| tag.to_str().ok()));
        let location = with_location
            .then(|| self.location_header(rt, retrieved.id()))
            .flatten();
        let mut bytes = Vec::with_capacity(1024 + MembersJson::size_hint(retrieved.members()));
        self.write_retrieved(rt, retrieved, version, projection, &mut bytes);
        let mut response = Response::new(Bytes::from(bytes));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        if let Some(etag) = etag {
            headers.insert(ETAG, etag);
        }
        if let Some(location) = location {
            headers.insert(LOCATION, location);
        }
        response
    }

    /// Appends the body of a resource a store retrieved, whose `meta.version` is
    /// `version`: the bytes `serde_json` writes for what [`render`](Self::render) gives
    /// of [`Retrieved::into_resource`], written from the stored form or the rows where
    /// they came apart, rendered the usual way otherwise.
    pub(crate) fn write_retrieved(
        &self,
        rt: &ResourceType,
        retrieved: Retrieved,
        version: Option<&str>,
        projection: &Projection,
        bytes: &mut Vec<u8>,
    ) {
        let start = bytes.len();
        let (resource, members, stored) = retrieved.parts();
        let written = match stored {
            Some(_) => {
                let version = version.unwrap_or_default();
                stored_body::write(self, rt, &retrieved, version, projection, bytes).is_ok()
            }
            // Both ways give the same bytes, rows or none: the guard only picks the
            // cheaper one (rows written as they are; no rows, nothing to write apart).
            None => match rt.schema.attribute_named("members") {
                Some(attribute) if !members.is_empty() => self.write_with_rows(
                    rt,
                    resource.clone(),
                    members,
                    attribute,
                    projection,
                    bytes,
                ),
                _ => false,
            },
        };
        if !written {
            bytes.truncate(start);
            let body = self.render(rt, retrieved.into_resource(), projection);
            // Serializing a `Value` into a `Vec` cannot fail.
            let _ = serde_json::to_writer(&mut *bytes, &body);
        }
    }

    /// A document rendered the usual way, with rows written as its `members`; `false`
    /// when it could not be written that way.
    fn write_with_rows(
        &self,
        rt: &ResourceType,
        resource: Resource,
        members: &MemberRows,
        attribute: &Attribute,
        projection: &Projection,
        bytes: &mut Vec<u8>,
    ) -> bool {
        let Value::Object(document) = self.render(rt, resource, projection) else {
            // A projection always gives an object.
            return false;
        };
        let rows = Fields::of(attribute, projection, rt)
            .map(|fields| MembersJson::new(members, fields, attribute, self))
            .filter(MembersJson::any);
        write_document(bytes, &document, rows.as_ref()).is_ok()
    }
}

/// Serializes `document` with `members` placed before `meta`, where a store's document
/// has them: what `serde_json` writes for the whole document, byte for byte.
fn write_document(
    out: &mut Vec<u8>,
    document: &Map<String, Value>,
    members: Option<&MembersJson<'_>>,
) -> serde_json::Result<()> {
    out.push(b'{');
    let mut first = true;
    let mut pending = members;
    for (key, value) in document {
        if key == "meta"
            && let Some(members) = pending.take()
        {
            write_key(out, &mut first, "members")?;
            members.write(out)?;
        }
        write_key(out, &mut first, key)?;
        serde_json::to_writer(&mut *out, value)?;
    }
    if let Some(members) = pending {
        write_key(out, &mut first, "members")?;
        members.write(out)?;
    }
    out.push(b'}');
    Ok(())
}

/// `"key":`, after a comma unless it is the object's first.
fn write_key(out: &mut Vec<u8>, first: &mut bool, key: &str) -> serde_json::Result<()> {
    if !std::mem::take(first) {
        out.push(b',');
    }
    write_str(out, key)?;
    out.push(b':');
    Ok(())
}

/// A JSON string. Ids, names and URLs seldom hold a character JSON escapes, and copying
/// them whole is several times cheaper than escaping byte by byte.
pub(super) fn write_str(out: &mut Vec<u8>, text: &str) -> serde_json::Result<()> {
    write_utf8(out, text.as_bytes())
}

/// [`write_str`] of text held as bytes (a timestamp kept in place), which are UTF-8:
/// nothing is checked but what JSON escapes. Escapes are written as `serde_json` writes
/// them (`\"`, `\\`, `\n` and the like, `\u00XX` for other controls); a plain run
/// between them is copied whole. (An entity tag, `W/"3"`, always has two.)
pub(super) fn write_utf8(out: &mut Vec<u8>, text: &[u8]) -> serde_json::Result<()> {
    out.push(b'"');
    if needs_no_escape(text) {
        out.extend_from_slice(text);
    } else {
        let mut rest = text;
        while let Some(at) = rest
            .iter()
            .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        {
            let (plain, special) = rest.split_at_checked(at).unwrap_or((rest, &[]));
            out.extend_from_slice(plain);
            let Some((&b, tail)) = special.split_first() else {
                break;
            };
            rest = tail;
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                control => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    for nibble in [control >> 4, control & 0x0f] {
                        out.push(HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'));
                    }
                }
            }
        }
        out.extend_from_slice(rest);
    }
    out.push(b'"');
    Ok(())
}

/// Whether `text` holds none of the characters JSON strings escape: `"`, `\` and the
/// controls below U+0020 (RFC 8259 §7; `serde_json` escapes exactly these). Eight bytes
/// are checked at a time, as one word.
pub(super) fn needs_no_escape(text: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    // Whether a byte of `word` is below `n` (exact for n <= 0x80: a borrow can only
    // mark bytes above one that is).
    let any_below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS != 0;
    let any_equal = |word: u64, b: u8| any_below(word ^ (ONES * u64::from(b)), 1);
    let mut words = text.chunks_exact(8);
    for chunk in &mut words {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(bytes);
        if any_below(word, 0x20) || any_equal(word, b'"') || any_equal(word, b'\\') {
            return false;
        }
    }
    words
        .remainder()
        .iter()
        .all(|&b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// Which sub-attributes of `members` the response carries.
#[derive(Clone, Copy)]
pub(super) struct Fields<'a> {
    value: bool,
    display: bool,
    kind: bool,
    /// The `$ref` sub-attribute, when it is carried.
    reference: Option<&'a Attribute>,
}

impl<'a> Fields<'a> {
    /// What `projection` keeps of `attribute`; `None` when nothing.
    pub(super) fn of(
        attribute: &'a Attribute,
        projection: &Projection,
        rt: &ResourceType,
    ) -> Option<Self> {
        let subs = projection.kept(attribute, None, rt)?;
        let keeps = |name: &str| attribute.sub_attribute(name).filter(|s| subs.keeps(s));
        let fields = Self {
            value: keeps("value").is_some(),
            display: keeps("display").is_some(),
            kind: keeps("type").is_some(),
            // The `$ref` sub-attribute as rendering finds it (by exact name and type).
            reference: with_ref(attribute)
                .map(|(_, reference)| reference)
                .filter(|reference| subs.keeps(reference)),
        };
        (fields.value || fields.display || fields.kind || fields.reference.is_some())
            .then_some(fields)
    }
}

/// The `members` array of a response.
pub(super) struct MembersJson<'a> {
    rows: &'a MemberRows,
    fields: Fields<'a>,
    attribute: &'a Attribute,
    ctx: &'a Context<'a>,
}

impl<'a> MembersJson<'a> {
    pub(super) fn new(
        rows: &'a MemberRows,
        fields: Fields<'a>,
        attribute: &'a Attribute,
        ctx: &'a Context<'a>,
    ) -> Self {
        Self {
            rows,
            fields,
            attribute,
            ctx,
        }
    }

    fn prefixes(&self) -> Option<RefPrefixes<'_>> {
        self.fields.reference.map(|reference| {
            RefPrefixes::new(self.ctx.registry, &self.ctx.base, self.attribute, reference)
        })
    }

    /// Whether any member keeps a sub-attribute (a projection drops elements it leaves
    /// empty, and the attribute when none is left).
    pub(super) fn any(&self) -> bool {
        let fields = self.fields;
        if fields.value {
            return true;
        }
        let mut prefixes = self.prefixes();
        self.rows
            .iter()
            .any(|row| Member::of(row, fields, prefixes.as_mut()).is_some())
    }

    /// About the bytes the array of `rows` takes, so that the body is allocated once.
    pub(super) fn size_hint(rows: &MemberRows) -> usize {
        // Keys, quotes and punctuation, and a `$ref` prefix of a usual length.
        const PER_MEMBER: usize = 48 + 64;
        rows.iter()
            .map(|row| {
                PER_MEMBER
                    + 2 * row.value.len()
                    + row.display.map_or(0, str::len)
                    + row.kind.map_or(0, str::len)
            })
            .sum()
    }
}

impl MembersJson<'_> {
    /// The array, members left empty by the projection dropped.
    pub(super) fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let mut prefixes = self.prefixes();
        // Each `$ref` is joined in this one buffer when it must be escaped.
        let mut url = String::new();
        out.push(b'[');
        let mut first = true;
        for row in self.rows.iter() {
            if let Some(member) = Member::of(row, self.fields, prefixes.as_mut()) {
                if !std::mem::take(&mut first) {
                    out.push(b',');
                }
                member.write(out, &mut url)?;
            }
        }
        out.push(b']');
        Ok(())
    }
}

/// One member as the response carries it; keys in the order of the store's member
/// objects, `$ref` last as rendering adds it.
struct Member<'r> {
    value: Option<&'r str>,
    display: Option<&'r str>,
    kind: Option<&'r str>,
    /// The URL prefix and the id.
    reference: Option<(&'r Prefix, &'r str)>,
}

impl<'r> Member<'r> {
    /// `None` when the row keeps nothing.
    fn of(
        row: MemberRow<'r>,
        fields: Fields<'_>,
        prefixes: Option<&'r mut RefPrefixes<'_>>,
    ) -> Option<Self> {
        let kind = row.kind;
        let member = Self {
            value: fields.value.then_some(row.value),
            display: row.display.filter(|_| fields.display),
            kind: kind.filter(|_| fields.kind),
            reference: prefixes
                .and_then(|p| p.prefix(kind))
                .map(|prefix| (prefix, row.value)),
        };
        (member.value.is_some()
            || member.display.is_some()
            || member.kind.is_some()
            || member.reference.is_some())
        .then_some(member)
    }

    /// The object; `url` is a buffer for a `$ref` that must be escaped.
    fn write(&self, out: &mut Vec<u8>, url: &mut String) -> serde_json::Result<()> {
        // The keys need no escaping: each is written as it appears on the wire.
        let mut separator = b'{';
        let mut key = |out: &mut Vec<u8>, key: &[u8]| {
            out.push(std::mem::replace(&mut separator, b','));
            out.extend_from_slice(key);
        };
        for (name, text) in [
            (&b"\"value\":"[..], self.value),
            (b"\"display\":", self.display),
            (b"\"type\":", self.kind),
        ] {
            if let Some(text) = text {
                key(out, name);
                write_str(out, text)?;
            }
        }
        if let Some((prefix, id)) = self.reference {
            key(out, b"\"$ref\":");
            if prefix.plain && needs_no_escape(id.as_bytes()) {
                out.push(b'"');
                out.extend_from_slice(prefix.url.as_bytes());
                out.extend_from_slice(id.as_bytes());
                out.push(b'"');
            } else {
                url.clear();
                url.push_str(&prefix.url);
                url.push_str(id);
                write_str(out, url)?;
            }
        }
        if separator == b'{' {
            out.push(b'{');
        }
        out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests;
