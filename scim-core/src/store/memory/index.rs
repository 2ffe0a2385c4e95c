//! Secondary indexes of one resource type: which attributes are indexed, how their
//! values are keyed, the uniqueness checks built on them, and the sorted walk that
//! answers `sortBy` on an indexed attribute without sorting.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Id;
use crate::filter::{AttrPath, member, present};
use crate::schema::attribute::{AttributeType, Uniqueness};
use crate::schema::definition::ResourceType;
use crate::store::StoreError;

/// An indexed attribute: a singular, non-complex attribute of the core schema, the
/// common attributes or an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexSpec {
    /// The extension URN holding the attribute (its key in the document), if any.
    pub(crate) extension: Option<String>,
    /// The attribute name in its canonical spelling.
    pub(crate) name: String,
    /// Whether values compare case-sensitively (RFC 7643 §2.2 `caseExact`).
    pub(crate) case_exact: bool,
    /// Whether two resources may not share a value.
    pub(crate) unique: bool,
    /// Whether the attribute is a string (so that a filter `eq` on it compares keys).
    pub(crate) textual: bool,
}

/// One attribute's index: key to the ids carrying it, ordered by key.
///
/// Keys order as the filter's string comparison does (RFC 7644 §3.4.2.3: code point
/// order of the folded text), and each key's ids are kept sorted, so walking the map
/// lists resources exactly as `Sort::comparator` orders them (value, then id).
///
/// A non-unique index keeps a small `Vec` per key: the indexed attributes
/// (`externalId`, a non-unique `displayName`) rarely share values, and the vector
/// is a quarter of a set's size.
#[derive(Debug)]
pub(crate) struct AttributeIndex {
    pub(crate) spec: IndexSpec,
    entries: BTreeMap<String, Vec<Id>>,
    /// How many ids the map holds in all.
    indexed: usize,
    /// Resources whose value is present but not a string (a number, or an array or
    /// object where a singular string belongs): they sort by JSON type, which the
    /// map's order does not follow, so no sorted walk is offered while any exist.
    unordered: usize,
}

/// Keys fold as the filter's comparisons do ([`fold_case`]), so that equal keys are
/// exactly the strings the filter calls equal, and key order is its order.
pub(crate) use crate::filter::fold_case as fold;

/// Whether a value is present (RFC 7644 §3.4.2.2) without being a string: a value
/// a sort orders by JSON type rather than as text.
fn unordered(value: Option<&Value>) -> bool {
    value.is_some_and(|v| !v.is_string() && present(v))
}

impl AttributeIndex {
    fn new(spec: IndexSpec) -> Self {
        Self {
            spec,
            entries: BTreeMap::new(),
            indexed: 0,
            unordered: 0,
        }
    }

    /// The value of the indexed attribute in a document, found as the filter and the
    /// sort find it (exact key first, else case-insensitively: RFC 7643 §2.1).
    pub(crate) fn value_of<'a>(&self, doc: &'a Map<String, Value>) -> Option<&'a Value> {
        match &self.spec.extension {
            Some(urn) => member(member(doc, urn)?.as_object()?, &self.spec.name),
            None => member(doc, &self.spec.name),
        }
    }

    /// The key of a JSON value: strings folded unless case-exact, other scalars as
    /// JSON text; `null`, arrays and objects are not indexed.
    fn key_of(&self, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(self.key_of_str(s)),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Array(_) | Value::Object(_) => None,
        }
    }

    /// The key of a string value.
    pub(crate) fn key_of_str(&self, s: &str) -> String {
        if self.spec.case_exact {
            s.to_owned()
        } else {
            fold(s)
        }
    }

    /// The ids whose value has this key.
    pub(crate) fn lookup(&self, key: &str) -> &[Id] {
        self.entries.get(key).map_or(&[], Vec::as_slice)
    }

    fn insert(&mut self, id: &Id, doc: &Map<String, Value>) {
        let value = self.value_of(doc);
        self.unordered += usize::from(unordered(value));
        if let Some(key) = value.and_then(|v| self.key_of(v)) {
            // Most keys carry one id: allocate for exactly one.
            let ids = self
                .entries
                .entry(key)
                .or_insert_with(|| Vec::with_capacity(1));
            if let Err(at) = ids.binary_search(id) {
                ids.insert(at, Id::clone(id));
                self.indexed += 1;
            }
        }
    }

    fn remove(&mut self, id: &str, doc: &Map<String, Value>) {
        let value = self.value_of(doc);
        self.unordered -= usize::from(unordered(value)).min(self.unordered);
        let Some(key) = value.and_then(|v| self.key_of(v)) else {
            return;
        };
        if let Some(ids) = self.entries.get_mut(&key) {
            if let Ok(at) = ids.binary_search_by(|i| (**i).cmp(id)) {
                ids.remove(at);
                self.indexed -= 1;
            }
            if ids.is_empty() {
                self.entries.remove(&key);
            }
        }
    }

    /// The ids of resources holding a present string value, in the order
    /// `Sort::comparator` gives them (value ascending or descending, ties by id
    /// ascending), and how many there are; `None` when the map's order is not the
    /// sort's (a non-string attribute, or some non-string value stored).
    pub(crate) fn sorted(
        &self,
        descending: bool,
    ) -> Option<(usize, Box<dyn Iterator<Item = &Id> + '_>)> {
        if !self.spec.textual || self.unordered > 0 {
            return None;
        }
        // `""` is not present (RFC 7644 §3.4.2.2): it sorts with the missing values.
        // No other key is empty: folding never maps a character to nothing.
        let blank = self.lookup("").len();
        let valued = self.entries.iter().filter(|(key, _)| !key.is_empty());
        let ids: Box<dyn Iterator<Item = &Id> + '_> = if descending {
            Box::new(valued.rev().flat_map(|(_, ids)| ids))
        } else {
            Box::new(valued.flat_map(|(_, ids)| ids))
        };
        Some((self.indexed - blank, ids))
    }

    /// Whether `doc` holds a present value of the attribute (the resources
    /// [`AttributeIndex::sorted`] does not list).
    pub(crate) fn has_value(&self, doc: &Map<String, Value>) -> bool {
        self.value_of(doc).is_some_and(present)
    }

    /// The conflict `doc` would cause with a resource other than `except`.
    fn conflict(&self, doc: &Map<String, Value>, except: Option<&str>) -> Option<StoreError> {
        if !self.spec.unique {
            return None;
        }
        let value = self.value_of(doc)?;
        let key = self.key_of(value)?;
        let taken = self.lookup(&key).iter().any(|id| Some(&**id) != except);
        taken.then(|| StoreError::Conflict {
            attribute: match &self.spec.extension {
                Some(urn) => format!("{urn}:{}", self.spec.name),
                None => self.spec.name.clone(),
            },
            value: match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
        })
    }
}

/// The indexes of one resource type in one tenant.
#[derive(Debug)]
pub(crate) struct Indexes {
    attributes: Vec<AttributeIndex>,
}

impl Indexes {
    /// The indexes a resource type needs: `externalId`; every singular simple attribute
    /// whose schema says `uniqueness: server` or `global` (e.g. `userName`); and
    /// `displayName` when `display_name` says so (Groups), unique if `display_name_unique`.
    pub(crate) fn for_type(
        rt: &ResourceType,
        display_name: bool,
        display_name_unique: bool,
    ) -> Self {
        let mut specs = vec![IndexSpec {
            extension: None,
            name: "externalId".to_owned(),
            case_exact: true,
            unique: false,
            textual: true,
        }];
        for schema in rt.schemas() {
            let extension = (!std::ptr::eq(&**schema, &*rt.schema)).then(|| schema.id.clone());
            for attribute in &schema.attributes {
                let display = display_name
                    && extension.is_none()
                    && attribute.name.eq_ignore_ascii_case("displayName");
                let unique = matches!(
                    attribute.uniqueness,
                    Uniqueness::Server | Uniqueness::Global
                ) || (display && display_name_unique);
                // A complex value is never a key (`key_of` indexes scalars), so an
                // index on one would only ever hold "no value": skipping it is what
                // keeps lookups of multi-valued attributes right.
                if attribute.multi_valued
                    || attribute.kind == AttributeType::Complex
                    || !(unique || display)
                {
                    continue;
                }
                specs.push(IndexSpec {
                    extension: extension.clone(),
                    name: attribute.name.clone(),
                    case_exact: attribute.case_exact,
                    unique,
                    textual: matches!(
                        attribute.kind,
                        AttributeType::String | AttributeType::Reference
                    ),
                });
            }
        }
        Self {
            attributes: specs.into_iter().map(AttributeIndex::new).collect(),
        }
    }

    /// Fails with a conflict naming the attribute if `doc` would share a unique value
    /// with any resource other than `except`.
    pub(crate) fn check_unique(
        &self,
        doc: &Map<String, Value>,
        except: Option<&str>,
    ) -> Result<(), StoreError> {
        match self.attributes.iter().find_map(|i| i.conflict(doc, except)) {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// Records `doc` under `id` in every index.
    pub(crate) fn insert(&mut self, id: &Id, doc: &Map<String, Value>) {
        for index in &mut self.attributes {
            index.insert(id, doc);
        }
    }

    /// Forgets `doc` (stored under `id`) in every index.
    pub(crate) fn remove(&mut self, id: &str, doc: &Map<String, Value>) {
        for index in &mut self.attributes {
            index.remove(id, doc);
        }
    }

    /// The index of the attribute a filter path names, if there is one. Sub-attribute
    /// paths are never indexed.
    pub(crate) fn find(&self, path: &AttrPath, rt: &ResourceType) -> Option<&AttributeIndex> {
        if path.sub_attribute.is_some() {
            return None;
        }
        let resolved = rt.resolve(path)?;
        self.attributes.iter().find(|i| {
            i.spec.name.eq_ignore_ascii_case(&resolved.attribute.name)
                // Not finding an extension's index is only slower (a scan answers).
                && match (&i.spec.extension, resolved.extension) {
                    (None, None) => true,
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                    _ => false,
                }
        })
    }
}
