//! The optional edge layer of `template.yaml`, in both modes: with
//! `EdgeLayer=off` (the default) no edge resource exists and the API keeps
//! its execute-api endpoint; with `on`, CloudFront with a WAF rate-based
//! rule per client IP stands in front, the execute-api endpoint is disabled
//! (no bypass), and the stack outputs the edge URL. Conditions are
//! evaluated here as CloudFormation would, from the parameters.

use serde_norway::{Mapping, Value};
use std::collections::BTreeMap;
use testkit::workspace_root;

/// The resources of the edge layer.
const EDGE_RESOURCES: [&str; 5] = [
    "EdgeApiDomain",
    "EdgeApiMapping",
    "EdgeApiDnsRecord",
    "EdgeWebAcl",
    "EdgeDistribution",
];

fn template() -> Value {
    let text = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

/// A CloudFormation intrinsic function as (name, argument): `!Ref X` and
/// `{"Ref": X}` alike.
fn intrinsic(value: &Value) -> Option<(String, &Value)> {
    match value {
        Value::Tagged(tagged) => Some((
            tagged.tag.to_string().trim_start_matches('!').to_owned(),
            &tagged.value,
        )),
        Value::Mapping(map) if map.len() == 1 => {
            let (key, arg) = map.iter().next()?;
            let key = key.as_str()?;
            (key == "Ref" || key.starts_with("Fn::") || key == "Condition")
                .then(|| (key.trim_start_matches("Fn::").to_owned(), arg))
        }
        _ => None,
    }
}

/// The stack as deployed with `overrides` on the template's defaults.
struct Stack {
    template: Value,
    parameters: BTreeMap<String, String>,
}

impl Stack {
    fn with(overrides: &[(&str, &str)]) -> Self {
        let template = template();
        let mut parameters = BTreeMap::new();
        for (name, parameter) in template["Parameters"].as_mapping().unwrap() {
            let default = match parameter.get("Default") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            parameters.insert(name.as_str().unwrap().to_owned(), default);
        }
        for (name, value) in overrides {
            assert!(parameters.contains_key(*name), "no parameter {name}");
            parameters.insert((*name).to_owned(), (*value).to_owned());
        }
        parameters.insert("AWS::Region".to_owned(), "us-east-1".to_owned());
        Stack { template, parameters }
    }

    /// A scalar: a string, or `!Ref` of a parameter.
    fn scalar(&self, value: &Value) -> String {
        match (value, intrinsic(value)) {
            (Value::String(s), _) => s.clone(),
            (_, Some((name, Value::String(p)))) if name == "Ref" => self.parameters[p].clone(),
            _ => panic!("not a scalar this test evaluates: {value:?}"),
        }
    }

    /// A condition expression.
    fn holds(&self, value: &Value) -> bool {
        let (name, arg) = intrinsic(value).unwrap_or_else(|| panic!("not a condition: {value:?}"));
        let args = || arg.as_sequence().unwrap().iter();
        match name.as_str() {
            "Equals" => {
                let sides: Vec<String> = args().map(|a| self.scalar(a)).collect();
                sides[0] == sides[1]
            }
            "Not" => !self.holds(&arg.as_sequence().unwrap()[0]),
            "And" => args().all(|a| self.holds(a)),
            "Or" => args().any(|a| self.holds(a)),
            "Condition" => self.condition(arg.as_str().unwrap()),
            other => panic!("condition function {other} not evaluated here"),
        }
    }

    fn condition(&self, name: &str) -> bool {
        self.holds(&self.template["Conditions"][name])
    }

    /// Whether the resource (or output) `entry` exists in this stack.
    fn exists(&self, entry: &Value) -> bool {
        entry
            .get("Condition")
            .and_then(Value::as_str)
            .is_none_or(|c| self.condition(c))
    }

    fn resource(&self, id: &str) -> &Value {
        &self.template["Resources"][id]
    }

    /// `!If [condition, a, b]` chosen.
    fn choose<'a>(&self, value: &'a Value) -> &'a Value {
        let (name, arg) = intrinsic(value).expect("an !If");
        assert_eq!(name, "If");
        let arg = arg.as_sequence().unwrap();
        if self.condition(arg[0].as_str().unwrap()) {
            &arg[1]
        } else {
            &arg[2]
        }
    }

    /// The rules whose condition holds: their assertions apply.
    fn rules_applying(&self) -> Vec<String> {
        let rules = self.template["Rules"]
            .as_mapping()
            .cloned()
            .unwrap_or_else(Mapping::new);
        rules
            .iter()
            .filter(|(_, rule)| rule.get("RuleCondition").is_none_or(|c| self.holds(c)))
            .map(|(id, _)| id.as_str().unwrap().to_owned())
            .collect()
    }
}

const ON: [(&str, &str); 3] = [
    ("EdgeLayer", "on"),
    ("EdgeOriginDomainName", "origin.api.example.com"),
    (
        "EdgeOriginCertificateArn",
        "arn:aws:acm:us-east-1:123456789012:certificate/abc",
    ),
];

#[test]
fn off_by_default_nothing_of_the_edge_exists_and_execute_api_stays() {
    let stack = Stack::with(&[]);
    assert_eq!(stack.parameters["EdgeLayer"], "off");
    for id in EDGE_RESOURCES {
        assert!(
            !stack.exists(stack.resource(id)),
            "{id} exists with the edge layer off"
        );
    }
    let disabled = stack.choose(&stack.resource("HttpApi")["Properties"]["DisableExecuteApiEndpoint"]);
    assert_eq!(disabled, &Value::Bool(false));
    assert!(!stack.exists(&stack.template["Outputs"]["EdgeUrl"]));
    let url = stack.choose(&stack.template["Outputs"]["ApiUrl"]["Value"]);
    assert!(format!("{url:?}").contains("execute-api"), "{url:?}");
    assert!(stack.rules_applying().is_empty(), "{:?}", stack.rules_applying());
}

#[test]
fn on_cloudfront_with_a_per_ip_rate_rule_fronts_the_api_and_execute_api_is_disabled() {
    let stack = Stack::with(&ON);
    for id in [
        "EdgeApiDomain",
        "EdgeApiMapping",
        "EdgeWebAcl",
        "EdgeDistribution",
    ] {
        assert!(
            stack.exists(stack.resource(id)),
            "{id} missing with the edge layer on"
        );
    }
    let disabled = stack.choose(&stack.resource("HttpApi")["Properties"]["DisableExecuteApiEndpoint"]);
    assert_eq!(disabled, &Value::Bool(true));

    let acl = &stack.resource("EdgeWebAcl")["Properties"];
    assert_eq!(acl["Scope"].as_str(), Some("CLOUDFRONT"));
    let per_ip = acl["Rules"].as_sequence().unwrap().iter().any(|rule| {
        let rate = &rule["Statement"]["RateBasedStatement"];
        rate["AggregateKeyType"].as_str() == Some("IP") && rule["Action"].get("Block").is_some()
    });
    assert!(per_ip, "no blocking rate-based rule per IP: {acl:?}");

    let config = &stack.resource("EdgeDistribution")["Properties"]["DistributionConfig"];
    let acl_id = stack.choose(&config["WebACLId"]);
    assert_eq!(
        intrinsic(acl_id).map(|(f, a)| (f, a.clone())),
        Some(("GetAtt".to_owned(), Value::String("EdgeWebAcl.Arn".to_owned())))
    );
    // CloudFront calls the API on its own domain, mapped to the API's stage.
    let origin = &config["Origins"][0];
    assert_eq!(stack.scalar(&origin["DomainName"]), "origin.api.example.com");
    let mapping = &stack.resource("EdgeApiMapping")["Properties"];
    assert_eq!(intrinsic(&mapping["ApiId"]).unwrap().1.as_str(), Some("HttpApi"));
    assert_eq!(
        intrinsic(&mapping["DomainName"]).unwrap().1.as_str(),
        Some("EdgeApiDomain")
    );
    let methods: Vec<&str> = config["DefaultCacheBehavior"]["AllowedMethods"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for method in ["PATCH", "POST", "OPTIONS"] {
        assert!(methods.contains(&method), "{method} not forwarded");
    }

    assert!(stack.exists(&stack.template["Outputs"]["EdgeUrl"]));
    let url = stack.choose(&stack.template["Outputs"]["ApiUrl"]["Value"]);
    assert!(
        format!("{url:?}").contains("EdgeDistribution.DomainName"),
        "{url:?}"
    );
    // No DNS record without a hosted zone; one with it.
    assert!(!stack.exists(stack.resource("EdgeApiDnsRecord")));
    let with_zone = Stack::with(&[ON[0], ON[1], ON[2], ("EdgeOriginHostedZoneId", "Z123")]);
    assert!(with_zone.exists(with_zone.resource("EdgeApiDnsRecord")));
}

#[test]
fn a_web_acl_is_created_only_in_us_east_1_or_an_existing_one_is_used() {
    let creating = Stack::with(&ON);
    // Creating the web ACL: a rule holds the stack to us-east-1.
    let rules = creating.rules_applying();
    let region_rule = rules
        .iter()
        .find(|id| {
            let text = format!("{:?}", creating.template["Rules"][id.as_str()]["Assertions"]);
            text.contains("AWS::Region") && text.contains("us-east-1")
        })
        .expect("a rule holding the stack to us-east-1");
    let arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1";
    let using = Stack::with(&[ON[0], ON[1], ON[2], ("EdgeWebAclArn", arn)]);
    assert!(!using.rules_applying().contains(region_rule));
    assert!(!using.exists(using.resource("EdgeWebAcl")));
    let config = &using.resource("EdgeDistribution")["Properties"]["DistributionConfig"];
    assert_eq!(using.scalar(using.choose(&config["WebACLId"])), arn);
}
