//! What a store declares it does, so that the contract skips (and says so) or adapts
//! exactly the cases a missing capability covers.

/// What a store supports beyond the core of the contract, as its author declares it.
/// [`Capabilities::all`] (the default) runs every case as written; each capability turned
/// off skips the cases that need it, with a printed line naming the case and the
/// capability, or adapts them.
///
/// ```
/// use scim_store_contract::Capabilities;
/// let caps = Capabilities::all().nested_groups(false).arbitrary_attributes(false);
/// assert_eq!(caps.skip_reason("server_unique_attributes_are_enforced"), Some("arbitrary_attributes"));
/// assert_eq!(caps.skip_reason("membership_and_user_groups"), None); // adapted, not skipped
/// assert_eq!(Capabilities::default(), Capabilities::all());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Groups may be members of groups. Without it, the membership cases use users
    /// only and check instead that a group offered as a member is
    /// [`StoreError::Invalid`](scim_core::StoreError::Invalid).
    pub nested_groups: bool,
    /// Every attribute of the built-in schemas, and the host's own resource types, are
    /// stored (a document store). Without it, the cases write their free-text value to
    /// `name.givenName` instead of `title`, and the case on a custom resource type with
    /// a `uniqueness: server` attribute is skipped.
    pub arbitrary_attributes: bool,
    /// `writeOnly` attributes (`password`) are stored and kept by a `replace` that
    /// omits them. Without it, that case is skipped.
    pub write_only_values: bool,
}

impl Default for Capabilities {
    fn default() -> Self {
        Self::all()
    }
}

impl Capabilities {
    /// Every capability: the whole contract, as written.
    ///
    /// ```
    /// # use scim_store_contract::Capabilities;
    /// assert!(Capabilities::all().nested_groups);
    /// ```
    pub fn all() -> Self {
        Self {
            nested_groups: true,
            arbitrary_attributes: true,
            write_only_values: true,
        }
    }

    /// Sets [`nested_groups`](Self::nested_groups).
    ///
    /// ```
    /// # use scim_store_contract::Capabilities;
    /// assert!(!Capabilities::all().nested_groups(false).nested_groups);
    /// ```
    #[must_use]
    pub fn nested_groups(mut self, on: bool) -> Self {
        self.nested_groups = on;
        self
    }

    /// Sets [`arbitrary_attributes`](Self::arbitrary_attributes).
    ///
    /// ```
    /// # use scim_store_contract::Capabilities;
    /// assert!(!Capabilities::all().arbitrary_attributes(false).arbitrary_attributes);
    /// ```
    #[must_use]
    pub fn arbitrary_attributes(mut self, on: bool) -> Self {
        self.arbitrary_attributes = on;
        self
    }

    /// Sets [`write_only_values`](Self::write_only_values).
    ///
    /// ```
    /// # use scim_store_contract::Capabilities;
    /// assert!(!Capabilities::all().write_only_values(false).write_only_values);
    /// ```
    #[must_use]
    pub fn write_only_values(mut self, on: bool) -> Self {
        self.write_only_values = on;
        self
    }

    /// The capability whose absence skips the case `case` (by its name in
    /// [`CASES`](crate::CASES)), if any.
    ///
    /// ```
    /// # use scim_store_contract::Capabilities;
    /// let caps = Capabilities::all().write_only_values(false);
    /// assert_eq!(caps.skip_reason("replace_keeps_write_only_values"), Some("write_only_values"));
    /// assert_eq!(Capabilities::all().skip_reason("replace_keeps_write_only_values"), None);
    /// ```
    pub fn skip_reason(&self, case: &str) -> Option<&'static str> {
        match case {
            "server_unique_attributes_are_enforced" if !self.arbitrary_attributes => {
                Some("arbitrary_attributes")
            }
            "replace_keeps_write_only_values" if !self.write_only_values => {
                Some("write_only_values")
            }
            _ => None,
        }
    }

    /// Whether to run `case`: `false` when a capability it needs is missing, after
    /// printing a line that names the case and the capability.
    ///
    /// ```
    /// # use scim_store_contract::Capabilities;
    /// assert!(!Capabilities::all().write_only_values(false).should_run("replace_keeps_write_only_values"));
    /// assert!(Capabilities::all().should_run("replace_keeps_write_only_values"));
    /// ```
    pub fn should_run(&self, case: &str) -> bool {
        match self.skip_reason(case) {
            Some(capability) => {
                println!("store contract: skipped {case}: the store does not declare {capability}");
                false
            }
            None => true,
        }
    }
}
