//! PATCH (RFC 7644 §3.5.2): the `PatchOp` message, its operations and their semantics.

use serde_json::Value;

use crate::filter::PatchPath;

/// URN of the PATCH request message.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A PATCH operation kind: `add`, `replace` or `remove` (RFC 7644 §3.5.2.1–3).
///
/// ```
/// use scim_core::PatchOpKind;
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
    /// # use scim_core::PatchOpKind;
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
/// use scim_core::{PatchOpKind, PatchOperation};
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
