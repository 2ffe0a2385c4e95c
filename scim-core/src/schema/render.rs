//! The discovery representations: a schema as `/Schemas` returns it (RFC 7643 §7) and
//! a resource type as `/ResourceTypes` returns it (RFC 7643 §6).

use serde_json::{Map, Value, json};

use super::definition::{ResourceType, Schema};

/// URN of the schema that describes schemas (RFC 7643 §7).
pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
/// URN of the schema that describes resource types (RFC 7643 §6).
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

impl Schema {
    /// The schema's representation (RFC 7643 §7, §8.7.1), with
    /// `meta.location` = `{base_url}/Schemas/{id}`.
    ///
    /// ```
    /// use scim_core::SchemaRegistry;
    /// let registry = SchemaRegistry::with_builtins();
    /// let group = registry.schema("urn:ietf:params:scim:schemas:core:2.0:Group").unwrap();
    /// let json = group.to_representation("https://example.com/scim/v2/acme/");
    /// assert_eq!(json["attributes"][0]["name"], "displayName");
    /// assert_eq!(json["meta"]["location"],
    ///     "https://example.com/scim/v2/acme/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group");
    /// ```
    pub fn to_representation(&self, base_url: &str) -> Value {
        let mut out = Map::new();
        out.insert("schemas".into(), json!([SCHEMA_SCHEMA]));
        out.insert("id".into(), json!(self.id));
        out.insert("name".into(), json!(self.name));
        if !self.description.is_empty() {
            out.insert("description".into(), json!(self.description));
        }
        // Serializing an `Attribute` (strings, bools and enums) cannot fail.
        let attributes = serde_json::to_value(&self.attributes).unwrap_or_else(|_| json!([]));
        out.insert("attributes".into(), attributes);
        out.insert(
            "meta".into(),
            json!({
                "resourceType": "Schema",
                "location": format!("{}/Schemas/{}", base_url.trim_end_matches('/'), self.id),
            }),
        );
        Value::Object(out)
    }
}

impl ResourceType {
    /// The resource type's representation (RFC 7643 §6, §8.6), with
    /// `meta.location` = `{base_url}/ResourceTypes/{name}`.
    ///
    /// ```
    /// use scim_core::SchemaRegistry;
    /// let registry = SchemaRegistry::with_builtins();
    /// let json = registry.resource_type("User").unwrap().to_representation("https://example.com/scim/v2");
    /// assert_eq!(json["endpoint"], "/Users");
    /// assert_eq!(json["schemaExtensions"][0]["required"], false);
    /// assert_eq!(json["meta"]["location"], "https://example.com/scim/v2/ResourceTypes/User");
    /// ```
    pub fn to_representation(&self, base_url: &str) -> Value {
        let mut out = Map::new();
        out.insert("schemas".into(), json!([RESOURCE_TYPE_SCHEMA]));
        out.insert("id".into(), json!(self.name));
        out.insert("name".into(), json!(self.name));
        out.insert("endpoint".into(), json!(self.endpoint));
        if !self.description.is_empty() {
            out.insert("description".into(), json!(self.description));
        }
        out.insert("schema".into(), json!(self.schema.id));
        if !self.extensions.is_empty() {
            let extensions: Vec<Value> = self
                .extensions
                .iter()
                .map(|e| json!({"schema": e.schema.id, "required": e.required}))
                .collect();
            out.insert("schemaExtensions".into(), Value::Array(extensions));
        }
        out.insert(
            "meta".into(),
            json!({
                "resourceType": "ResourceType",
                "location": format!("{}/ResourceTypes/{}", base_url.trim_end_matches('/'), self.name),
            }),
        );
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::registry::SchemaRegistry;

    const BASE: &str = "https://example.com/scim/v2/acme";

    #[test]
    fn schemas_snapshot() {
        let registry = SchemaRegistry::with_builtins();
        let all: Vec<_> = registry
            .schemas()
            .map(|s| s.to_representation(BASE))
            .collect();
        insta::assert_json_snapshot!("schemas", all);
    }

    #[test]
    fn resource_types_snapshot() {
        let registry = SchemaRegistry::with_builtins();
        let all: Vec<_> = registry
            .resource_types()
            .map(|rt| rt.to_representation(BASE))
            .collect();
        insta::assert_json_snapshot!("resource_types", all);
    }

    #[test]
    fn sub_attributes_are_rendered_and_empty_lists_left_out() {
        let registry = SchemaRegistry::with_builtins();
        let user = registry
            .schema("urn:ietf:params:scim:schemas:core:2.0:User")
            .unwrap()
            .to_representation(BASE);
        let emails = &user["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "emails")
            .unwrap();
        assert_eq!(emails["type"], "complex");
        assert_eq!(emails["multiValued"], true);
        assert_eq!(emails["subAttributes"][2]["canonicalValues"][0], "work");
        assert!(emails.get("referenceTypes").is_none());
        let group = registry
            .resource_type("Group")
            .unwrap()
            .to_representation(BASE);
        assert!(group.get("schemaExtensions").is_none());
    }
}
