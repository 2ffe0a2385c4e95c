//! PATCH (RFC 7644 §3.5.2): the `PatchOp` message, its operations and their semantics.

mod apply;
mod members;
#[cfg(test)]
mod multi_valued_tests;
mod options;
mod parse;
#[cfg(test)]
mod rfc_tests;
#[cfg(test)]
mod tests;

pub use options::PatchOptions;

use serde_json::Value;

use crate::filter::PatchPath;

/// URN of the PATCH request message.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A PATCH operation kind: `add`, `replace` or `remove` (RFC 7644 §3.5.2.1–3).
///
/// ```
/// use scim_core::patch::PatchOpKind;
/// assert_eq!(PatchOpKind::Replace.as_str(), "replace");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatchOpKind {
    /// `add`
    Add,
    /// `replace`
    Replace,
    /// `remove`
    Remove,
}

impl PatchOpKind {
    /// The keyword in lower case.
    ///
    /// ```
    /// # use scim_core::patch::PatchOpKind;
    /// assert_eq!(PatchOpKind::Remove.as_str(), "remove");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Replace => "replace",
            Self::Remove => "remove",
        }
    }
}

/// One operation of a PATCH request, with its path parsed.
///
/// ```
/// use scim_core::patch::{PatchOpKind, PatchOperation};
/// let op = PatchOperation { op: PatchOpKind::Replace, path: Some("active".parse().unwrap()), value: Some(false.into()) };
/// assert_eq!(op.op, PatchOpKind::Replace);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    /// The operation.
    pub op: PatchOpKind,
    /// The target; `None` for a path-less `add`/`replace` whose value is an object.
    pub path: Option<PatchPath>,
    /// The value (absent for most `remove`s).
    pub value: Option<Value>,
}

/// A parsed PATCH request (the `PatchOp` message of RFC 7644 §3.5.2): its operations,
/// already checked against the resource type's schema by the engine.
///
/// ```
/// use scim_core::{PatchRequest, SchemaRegistry, patch::PatchOptions};
/// let registry = SchemaRegistry::with_builtins();
/// let body = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}"#;
/// let p = PatchRequest::parse(body, registry.resource_type("User").unwrap(), &PatchOptions::default()).unwrap();
/// assert!(p.operations.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PatchRequest {
    /// The operations, applied in order and atomically.
    pub operations: Vec<PatchOperation>,
    /// The apply-time dialect rules of the options the request was parsed with, so that a
    /// store applying it honours a strict configuration without being told.
    pub(crate) rules: ApplyRules,
}

impl PatchRequest {
    /// A request of already-checked operations, applied with the default (lenient) rules.
    ///
    /// ```
    /// use scim_core::{PatchRequest, patch::{PatchOperation, PatchOpKind}};
    /// let op = PatchOperation { op: PatchOpKind::Remove, path: Some("title".parse().unwrap()), value: None };
    /// assert_eq!(PatchRequest::new_unchecked(vec![op]).operations.len(), 1);
    /// ```
    pub fn new_unchecked(operations: Vec<PatchOperation>) -> Self {
        Self {
            operations,
            rules: ApplyRules::from(&PatchOptions::default()),
        }
    }
}

/// The [`PatchOptions`] that matter when operations are applied rather than parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ApplyRules {
    pub(crate) remove_by_value_list: bool,
    pub(crate) remove_missing_is_noop: bool,
    pub(crate) create_on_unmatched_filter: bool,
}

impl From<&PatchOptions> for ApplyRules {
    fn from(options: &PatchOptions) -> Self {
        Self {
            remove_by_value_list: options.remove_by_value_list,
            remove_missing_is_noop: options.remove_missing_is_noop,
            create_on_unmatched_filter: options.create_on_unmatched_filter,
        }
    }
}

/// The membership change a PATCH makes to a group, when that is all it does, so that a
/// store can apply it without rewriting the whole member list.
///
/// ```
/// use scim_core::patch::MemberDelta;
/// let d = MemberDelta::default();
/// assert!(d.add.is_empty() && d.remove.is_empty() && d.replace_all.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct MemberDelta {
    /// When set, the member list is first replaced by these members (Okta's full push).
    pub replace_all: Option<Vec<Value>>,
    /// Members to add (objects with at least `value`); adding a present member is a no-op.
    pub add: Vec<Value>,
    /// Member ids (`value`) to remove; removing an absent member is a no-op.
    pub remove: Vec<String>,
    /// Other attributes the PATCH sets on the group (e.g. a rename), as a path-less
    /// replace value; `None` when the PATCH touches only `members`.
    pub other: Option<PatchRequest>,
}

impl MemberDelta {
    /// The member ids after this delta, given the `current` ones: the replacement list
    /// (when there is one) or `current`, then the additions, less the removals. For a
    /// store that keeps members as rows of ids and writes only the difference.
    ///
    /// ```
    /// use scim_core::patch::MemberDelta;
    /// let mut delta = MemberDelta::default();
    /// delta.add.push(serde_json::json!({"value": "c"}));
    /// delta.remove.push("a".into());
    /// let after = delta.member_ids(["a".to_owned(), "b".to_owned()]);
    /// assert_eq!(after.into_iter().collect::<Vec<_>>(), ["b", "c"]);
    /// ```
    pub fn member_ids(
        &self,
        current: impl IntoIterator<Item = String>,
    ) -> std::collections::BTreeSet<String> {
        let value = |m: &Value| m.get("value").and_then(Value::as_str).map(str::to_owned);
        let mut ids: std::collections::BTreeSet<String> = match &self.replace_all {
            Some(list) => list.iter().filter_map(value).collect(),
            None => current.into_iter().collect(),
        };
        ids.extend(self.add.iter().filter_map(value));
        for gone in &self.remove {
            ids.remove(gone);
        }
        ids
    }
}
