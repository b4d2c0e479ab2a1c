//! Tables from `template.yaml`: the one place tables are defined.
//!
//! Reads every `AWS::DynamoDB::Table` resource (key schema, attribute
//! definitions, global secondary indexes) and creates it under its logical
//! id (plus an optional prefix). CloudFormation tags such as `!Ref` elsewhere
//! in the template are ignored; table properties must not use them.

use aws_sdk_dynamodb::{
    Client,
    types::{
        AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
        ProjectionType, ScalarAttributeType,
    },
};
use serde::Deserialize;
use std::path::Path;

/// One table as the template defines it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableDef {
    /// The resource's logical id (set after parsing).
    #[serde(skip)]
    pub logical_id: String,
    /// Key schema.
    pub key_schema: Vec<KeyDef>,
    /// Attribute definitions.
    pub attribute_definitions: Vec<AttrDef>,
    /// Global secondary indexes.
    #[serde(default)]
    pub global_secondary_indexes: Vec<GsiDef>,
}

/// A key schema element.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyDef {
    /// Attribute name.
    pub attribute_name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

/// An attribute definition.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttrDef {
    /// Attribute name.
    pub attribute_name: String,
    /// `S`, `N` or `B`.
    pub attribute_type: String,
}

/// A global secondary index.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GsiDef {
    /// Index name.
    pub index_name: String,
    /// Key schema.
    pub key_schema: Vec<KeyDef>,
    /// Projection.
    pub projection: ProjectionDef,
}

/// A projection.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionDef {
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    pub projection_type: String,
    /// For `INCLUDE`.
    #[serde(default)]
    pub non_key_attributes: Vec<String>,
}

#[derive(Deserialize)]
struct Template {
    #[serde(rename = "Resources")]
    resources: serde_norway::Mapping,
}

/// The tables of the template at `path`, in template order.
pub fn tables(path: &Path) -> Result<Vec<TableDef>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    tables_from_str(&text)
}

/// The tables of a template given as text.
pub fn tables_from_str(text: &str) -> Result<Vec<TableDef>, String> {
    let template: Template = serde_norway::from_str(text).map_err(|e| format!("template: {e}"))?;
    let mut tables = Vec::new();
    for (id, resource) in template.resources {
        let id = id
            .as_str()
            .ok_or("template: a resource id is not a string")?
            .to_owned();
        if resource.get("Type").and_then(|t| t.as_str()) != Some("AWS::DynamoDB::Table") {
            continue;
        }
        let properties = resource
            .get("Properties")
            .cloned()
            .ok_or_else(|| format!("template: table {id} has no Properties"))?;
        let mut def: TableDef =
            serde_norway::from_value(properties).map_err(|e| format!("template: table {id}: {e}"))?;
        def.logical_id = id;
        tables.push(def);
    }
    Ok(tables)
}

impl TableDef {
    /// Creates the table as `<prefix><logical id>` (on-demand billing).
    /// An existing table of that name is left as it is.
    pub async fn create(&self, client: &Client, prefix: &str) -> Result<(), String> {
        let name = format!("{prefix}{}", self.logical_id);
        let mut request = client
            .create_table()
            .table_name(&name)
            .billing_mode(BillingMode::PayPerRequest)
            .set_key_schema(Some(keys(&self.key_schema)?))
            .set_attribute_definitions(Some(
                self.attribute_definitions
                    .iter()
                    .map(|a| {
                        AttributeDefinition::builder()
                            .attribute_name(&a.attribute_name)
                            .attribute_type(ScalarAttributeType::from(a.attribute_type.as_str()))
                            .build()
                            .map_err(|e| e.to_string())
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ));
        for gsi in &self.global_secondary_indexes {
            let projection = Projection::builder()
                .projection_type(ProjectionType::from(gsi.projection.projection_type.as_str()))
                .set_non_key_attributes(
                    (!gsi.projection.non_key_attributes.is_empty())
                        .then(|| gsi.projection.non_key_attributes.clone()),
                )
                .build();
            request = request.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(&gsi.index_name)
                    .set_key_schema(Some(keys(&gsi.key_schema)?))
                    .projection(projection)
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_in_use_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(format!(
                "cannot create table {name}: {}",
                aws_sdk_dynamodb::error::DisplayErrorContext(&e)
            )),
        }
    }
}

fn keys(defs: &[KeyDef]) -> Result<Vec<KeySchemaElement>, String> {
    defs.iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute_name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_projects_template() {
        let tables = tables(&crate::workspace_root().join("template.yaml")).unwrap();
        let ids: Vec<&str> = tables.iter().map(|t| t.logical_id.as_str()).collect();
        assert!(ids.contains(&"OrgAccountsTable"), "{ids:?}");
        for table in &tables {
            assert_eq!(table.key_schema[0].attribute_name, "pk");
            assert_eq!(table.key_schema[0].key_type, "HASH");
        }
    }

    #[test]
    fn ignores_other_resources_and_tags() {
        let text = r#"
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          TABLE_NAME: !Ref T
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
"#;
        let tables = tables_from_str(text).unwrap();
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].logical_id, "T");
    }
}
