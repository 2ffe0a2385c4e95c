//! The PATCH dialect switches: what real clients send beyond RFC 7644 §3.5.2.

use crate::filter::FilterOptions;
use crate::schema::validate::ValidationOptions;

/// How PATCH requests are read. Each leniency accepts a shape a major client really
/// sends; all are on by default, and [`PatchOptions::strict`] turns them all off.
///
/// ```
/// use scim_core::patch::PatchOptions;
/// let lenient = PatchOptions::default();
/// assert!(lenient.case_insensitive_op);
/// let strict = PatchOptions::strict();
/// assert!(!strict.case_insensitive_op && !strict.remove_by_value_list);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PatchOptions {
    /// Accept `op` in any case (`"Add"`, `"Replace"`, `"Remove"`: Entra ID).
    pub case_insensitive_op: bool,
    /// Accept a path-less value whose keys are dotted or URN-qualified paths
    /// (`{"name.givenName": …, "urn:…:enterprise:2.0:User:employeeNumber": …}`: Entra ID
    /// with `aadOptscim062020`).
    pub path_less_dotted_keys: bool,
    /// `remove` on a multi-valued attribute with a `value` list and no filter removes
    /// exactly the listed values (Entra ID's default member removal), instead of all values.
    pub remove_by_value_list: bool,
    /// `add`/`replace` on a value path that matches nothing creates the element from the
    /// filter's `eq` conditions (`emails[type eq "work"].value`: Entra ID and its validator),
    /// instead of `400 noTarget`.
    pub create_on_unmatched_filter: bool,
    /// A value filter on a singular complex attribute selects it when it matches
    /// (`manager[value eq "…"]`: Entra ID removes the manager this way), instead of
    /// `400 invalidPath`.
    pub singular_value_filter: bool,
    /// An empty `Operations` list is a no-op (Microsoft's validator sends one) instead of
    /// `400 invalidValue`.
    pub allow_empty_operations: bool,
    /// Read-only values echoed inside a path-less value (`id`, `meta`, `schemas`, `groups`)
    /// are ignored when unchanged (Okta echoes the group `id` on rename), instead of
    /// `400 mutability`.
    pub ignore_read_only_echo: bool,
    /// Accept a PATCH or Bulk message without `schemas` (or with an empty list), instead
    /// of `400 invalidSyntax`. A `schemas` that names other URNs only (another message's) is
    /// refused either way.
    pub allow_missing_schema: bool,
    /// Removing a value that is not there (a member not in the group) succeeds, keeping
    /// provisioning idempotent, instead of `400 noTarget`.
    pub remove_missing_is_noop: bool,
    /// The most operations one request may carry (`400 tooMany` beyond).
    pub max_operations: usize,
    /// How values are checked and coerced (booleans as strings, unknown attributes, …).
    pub values: ValidationOptions,
    /// How paths are parsed (limits, bare words).
    pub filter: FilterOptions,
}

impl Default for PatchOptions {
    fn default() -> Self {
        Self {
            case_insensitive_op: true,
            path_less_dotted_keys: true,
            remove_by_value_list: true,
            create_on_unmatched_filter: true,
            singular_value_filter: true,
            allow_empty_operations: true,
            ignore_read_only_echo: true,
            allow_missing_schema: true,
            remove_missing_is_noop: true,
            max_operations: 1000,
            values: ValidationOptions::default(),
            filter: FilterOptions::default(),
        }
    }
}

impl PatchOptions {
    /// Every leniency off: exactly RFC 7644 §3.5.2.
    ///
    /// ```
    /// use scim_core::patch::PatchOptions;
    /// assert!(!PatchOptions::strict().allow_empty_operations);
    /// ```
    pub fn strict() -> Self {
        Self {
            case_insensitive_op: false,
            path_less_dotted_keys: false,
            remove_by_value_list: false,
            create_on_unmatched_filter: false,
            singular_value_filter: false,
            allow_empty_operations: false,
            ignore_read_only_echo: false,
            allow_missing_schema: false,
            remove_missing_is_noop: false,
            max_operations: 1000,
            values: ValidationOptions::strict(),
            filter: FilterOptions::strict(),
        }
    }
}
