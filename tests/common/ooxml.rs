//! Word files checked against the published schemas (ECMA-376, vendored in
//! tests/support/ooxml with their source and licence): every WordprocessingML part of the
//! package, after markup compatibility is applied as a consumer applies it, and the package's
//! own parts (`[Content_Types].xml`, every `.rels`) against Open Packaging Conventions',
//! validated by libxml2 (Python's lxml, installed in the test virtualenv with python-docx).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Validates each `word/*.xml` part read from the .docx on standard input, the content types
/// and the relationships; prints
/// `{"checked": [part...], "skipped": [part...], "errors": {part: [line: message...]}}`.
const VALIDATE: &str = r#"
import io, sys, json, zipfile
from lxml import etree
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
schema = etree.XMLSchema(etree.parse(sys.argv[1]))
types = etree.XMLSchema(etree.parse(sys.argv[2]))
rels = etree.XMLSchema(etree.parse(sys.argv[3]))
def ns(name):
    return name[1:].split("}")[0] if name.startswith("{") else ""
def compatible(root):
    # ECMA-376 Part 3: what a part declares ignorable is ignored.
    ignorable = {root.nsmap.get(p) for p in (root.get("{%s}Ignorable" % MC) or "").split()}
    for el in list(root.iter()):
        for a in list(el.attrib):
            if ns(a) in ignorable | {MC}:
                del el.attrib[a]
    for el in list(root.iter()):
        if isinstance(el.tag, str) and ns(el.tag) in ignorable:
            el.getparent().remove(el)
    return root
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
out = {"checked": [], "skipped": [], "errors": {}}
def check(name, root, against):
    out["checked"].append(name)
    if not against.validate(root):
        out["errors"][name] = ["%d: %s" % (e.line, e.message) for e in against.error_log]
for name in z.namelist():
    if name == "[Content_Types].xml":
        check(name, etree.fromstring(z.read(name)), types)
        continue
    if name.endswith(".rels"):
        check(name, etree.fromstring(z.read(name)), rels)
        continue
    if not (name.startswith("word/") and name.endswith(".xml")):
        continue
    root = compatible(etree.fromstring(z.read(name)))
    if ns(root.tag) != W:
        out["skipped"].append(name)
        continue
    check(name, root, schema)
print(json.dumps(out, ensure_ascii=False))
"#;

/// Fails the test with every schema error of the .docx `bytes`; returns the parts checked.
#[cfg(unix)]
pub fn assert_valid_docx(bytes: &[u8]) -> Vec<String> {
    let xsd = |name: &str| {
        serde_json::to_string(
            &super::root()
                .join("tests/support/ooxml")
                .join(name)
                .to_string_lossy(),
        )
        .unwrap()
    };
    let script = format!(
        "import sys\nsys.argv = ['validate', {}, {}, {}]\n{VALIDATE}",
        xsd("wordprocessingml.xsd"),
        xsd("opc-contentTypes.xsd"),
        xsd("opc-relationships.xsd")
    );
    let out: serde_json::Value =
        serde_json::from_str(&super::smtp::run_python(&script, bytes)).unwrap();
    let errors = out["errors"].as_object().unwrap();
    assert!(
        errors.is_empty(),
        "not valid WordprocessingML:\n{}",
        serde_json::to_string_pretty(errors).unwrap()
    );
    assert_eq!(
        out["skipped"],
        serde_json::json!(["word/commentsExtended.xml"]),
        "only Word 2012's comment extensions have no ECMA-376 schema"
    );
    let checked: Vec<String> = out["checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/_rels/document.xml.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/settings.xml",
        "word/numbering.xml",
        "word/fontTable.xml",
        "word/footer1.xml",
    ] {
        assert!(
            checked.iter().any(|c| c == part),
            "{part} checked: {checked:?}"
        );
    }
    checked
}
