//! The XML parts docx-rs writes, put in the order the WordprocessingML schema requires
//! (ECMA-376 Part 1, wml.xsd; the tests validate every part against it).
//!
//! docx-rs 0.4 writes some elements' children in an order of its own that no option changes:
//! `w:rPr` first inside `w:pPr`, `w:rPr` before `w:pPr` in a style, `w:zoom` after
//! `w:defaultTabStop` in the settings, the header and footer references after the page size
//! and margins in `w:sectPr`; it also writes a `w:type` attribute on `w:gridCol`, which has
//! none, and an empty `w:rPr` in the paragraph properties of styles, numbering levels and
//! document defaults, where the schema allows none. Word repairs such a file and LibreOffice
//! reads it, but it is not WordprocessingML. So each part is read back (quick-xml, the parser
//! docx-rs itself depends on), the children of the elements below are sorted into the
//! schema's sequence (a stable sort: repeated elements keep their order), and the two extras
//! are dropped. Text and attribute values pass through byte for byte.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};

/// Elements whose children the schema lists in a sequence, with that sequence (wml.xsd).
const ORDERS: &[(&[u8], &[&str])] = &[
    // CT_PPr (CT_PPrBase, then the paragraph mark's run properties and the section).
    (
        b"w:pPr",
        &[
            "pStyle",
            "keepNext",
            "keepLines",
            "pageBreakBefore",
            "framePr",
            "widowControl",
            "numPr",
            "suppressLineNumbers",
            "pBdr",
            "shd",
            "tabs",
            "suppressAutoHyphens",
            "kinsoku",
            "wordWrap",
            "overflowPunct",
            "topLinePunct",
            "autoSpaceDE",
            "autoSpaceDN",
            "bidi",
            "adjustRightInd",
            "snapToGrid",
            "spacing",
            "ind",
            "contextualSpacing",
            "mirrorIndents",
            "suppressOverlap",
            "jc",
            "textDirection",
            "textAlignment",
            "textboxTightWrap",
            "outlineLvl",
            "divId",
            "cnfStyle",
            "rPr",
            "sectPr",
            "pPrChange",
        ],
    ),
    // CT_RPr: a choice in the transitional schema, a sequence in the strict one and in what
    // Word writes; kept in that order.
    (
        b"w:rPr",
        &[
            "rStyle",
            "rFonts",
            "b",
            "bCs",
            "i",
            "iCs",
            "caps",
            "smallCaps",
            "strike",
            "dstrike",
            "outline",
            "shadow",
            "emboss",
            "imprint",
            "noProof",
            "snapToGrid",
            "vanish",
            "webHidden",
            "color",
            "spacing",
            "w",
            "kern",
            "position",
            "sz",
            "szCs",
            "highlight",
            "u",
            "effect",
            "bdr",
            "shd",
            "fitText",
            "vertAlign",
            "rtl",
            "cs",
            "em",
            "lang",
            "eastAsianLayout",
            "specVanish",
            "oMath",
            "rPrChange",
        ],
    ),
    // CT_SectPr.
    (
        b"w:sectPr",
        &[
            "headerReference",
            "footerReference",
            "footnotePr",
            "endnotePr",
            "type",
            "pgSz",
            "pgMar",
            "paperSrc",
            "pgBorders",
            "lnNumType",
            "pgNumType",
            "cols",
            "formProt",
            "vAlign",
            "noEndnote",
            "titlePg",
            "textDirection",
            "bidi",
            "rtlGutter",
            "docGrid",
            "printerSettings",
            "sectPrChange",
        ],
    ),
    // CT_Style.
    (
        b"w:style",
        &[
            "name",
            "aliases",
            "basedOn",
            "next",
            "link",
            "autoRedefine",
            "hidden",
            "uiPriority",
            "semiHidden",
            "unhideWhenUsed",
            "qFormat",
            "locked",
            "personal",
            "personalCompose",
            "personalReply",
            "rsid",
            "pPr",
            "rPr",
            "tblPr",
            "trPr",
            "tcPr",
            "tblStylePr",
        ],
    ),
    // CT_DocDefaults.
    (b"w:docDefaults", &["rPrDefault", "pPrDefault"]),
    // CT_Settings, as far as docx-rs writes it (anything else goes last, and the schema test
    // names it).
    (
        b"w:settings",
        &[
            "writeProtection",
            "view",
            "zoom",
            "removePersonalInformation",
            "removeDateAndTime",
            "doNotDisplayPageBoundaries",
            "displayBackgroundShape",
            "mirrorMargins",
            "gutterAtTop",
            "hideSpellingErrors",
            "hideGrammaticalErrors",
            "proofState",
            "trackRevisions",
            "documentProtection",
            "defaultTabStop",
            "autoHyphenation",
            "evenAndOddHeaders",
            "characterSpacingControl",
            "updateFields",
            "footnotePr",
            "endnotePr",
            "compat",
            "docVars",
            "rsids",
            "themeFontLang",
            "clrSchemeMapping",
            "decimalSymbol",
            "listSeparator",
        ],
    ),
    // CT_Lvl.
    (
        b"w:lvl",
        &[
            "start",
            "numFmt",
            "lvlRestart",
            "pStyle",
            "isLgl",
            "suff",
            "lvlText",
            "lvlPicBulletId",
            "legacy",
            "lvlJc",
            "pPr",
            "rPr",
        ],
    ),
    // CT_TblPr.
    (
        b"w:tblPr",
        &[
            "tblStyle",
            "tblpPr",
            "tblOverlap",
            "bidiVisual",
            "tblStyleRowBandSize",
            "tblStyleColBandSize",
            "tblW",
            "jc",
            "tblCellSpacing",
            "tblInd",
            "tblBorders",
            "shd",
            "tblLayout",
            "tblCellMar",
            "tblLook",
            "tblCaption",
            "tblDescription",
            "tblPrChange",
        ],
    ),
    // CT_TcPr.
    (
        b"w:tcPr",
        &[
            "cnfStyle",
            "tcW",
            "gridSpan",
            "hMerge",
            "vMerge",
            "tcBorders",
            "shd",
            "noWrap",
            "tcMar",
            "textDirection",
            "tcFitText",
            "vAlign",
            "hideMark",
            "headers",
            "cellIns",
            "cellDel",
            "cellMerge",
            "tcPrChange",
        ],
    ),
    // CT_TblBorders and CT_TcBorders.
    (
        b"w:tblBorders",
        &[
            "top", "start", "left", "bottom", "end", "right", "insideH", "insideV",
        ],
    ),
    (
        b"w:tcBorders",
        &[
            "top", "start", "left", "bottom", "end", "right", "insideH", "insideV", "tl2br",
            "tr2bl",
        ],
    ),
];

/// Paragraph properties that may not hold run properties (CT_PPrGeneral): those of a style,
/// a numbering level and the document defaults.
const GENERAL_PPR_PARENTS: &[&[u8]] = &[b"w:style", b"w:lvl", b"w:pPrDefault"];

/// A node of the part: an element with its children, or anything else as read.
enum Node {
    Element {
        start: BytesStart<'static>,
        children: Vec<Node>,
    },
    Other(Event<'static>),
}

impl Node {
    fn name(&self) -> &[u8] {
        match self {
            Node::Element { start, .. } => start.name().into_inner(),
            Node::Other(_) => b"",
        }
    }

    /// An element with no children and no attributes: nothing said.
    fn is_bare(&self) -> bool {
        match self {
            Node::Element { start, children } => {
                children.is_empty() && start.attributes().next().is_none()
            }
            Node::Other(_) => false,
        }
    }
}

/// One XML part of the package in schema order (see the module's comment).
pub(super) fn schema_order(xml: &[u8]) -> Result<Vec<u8>, String> {
    let nodes = read(xml)?;
    let nodes = nodes.into_iter().map(|n| fix(n, b"")).collect::<Vec<_>>();
    let mut writer = Writer::new(Vec::with_capacity(xml.len()));
    for node in nodes {
        write(&mut writer, node).map_err(|e| e.to_string())?;
    }
    Ok(writer.into_inner())
}

fn read(xml: &[u8]) -> Result<Vec<Node>, String> {
    let mut reader = Reader::from_reader(xml);
    // Open elements, each with the children read so far; the bottom one is the document.
    let mut stack: Vec<(Option<BytesStart<'static>>, Vec<Node>)> = vec![(None, Vec::new())];
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Eof => break,
            Event::Start(start) => stack.push((Some(start.into_owned()), Vec::new())),
            Event::End(_) => {
                let Some((Some(start), children)) = stack.pop() else {
                    return Err("an end tag without its start".into());
                };
                let parent = stack.last_mut().ok_or("an end tag without its start")?;
                parent.1.push(Node::Element { start, children });
            }
            Event::Empty(start) => {
                let parent = stack.last_mut().ok_or("no document")?;
                parent.1.push(Node::Element {
                    start: start.into_owned(),
                    children: Vec::new(),
                });
            }
            other => {
                let parent = stack.last_mut().ok_or("no document")?;
                parent.1.push(Node::Other(other.into_owned()));
            }
        }
    }
    match stack.pop() {
        Some((None, nodes)) if stack.is_empty() => Ok(nodes),
        _ => Err("an element is not closed".into()),
    }
}

/// `node` (a child of `parent`) and everything in it in schema order.
fn fix(node: Node, parent: &[u8]) -> Node {
    let Node::Element { start, children } = node else {
        return node;
    };
    let name = start.name().into_inner().to_vec();
    let start = if name == b"w:gridCol" {
        without_attribute(&start, b"w:type")
    } else {
        start
    };
    let mut children: Vec<Node> = children.into_iter().map(|c| fix(c, &name)).collect();
    if name == b"w:pPr" {
        // An empty w:rPr says nothing; in CT_PPrGeneral no w:rPr may stand at all.
        let general = GENERAL_PPR_PARENTS.contains(&parent);
        children.retain(|c| c.name() != b"w:rPr" || !(general || c.is_bare()));
    }
    if let Some((_, order)) = ORDERS.iter().find(|(n, _)| *n == name.as_slice()) {
        children.sort_by_key(|c| rank(c, order));
    }
    Node::Element { start, children }
}

/// Where a child goes in `order` (text and the unknown go last, in the order they came).
fn rank(node: &Node, order: &[&str]) -> usize {
    let name = node.name();
    let local = name.strip_prefix(b"w:").unwrap_or(b"");
    order
        .iter()
        .position(|o| o.as_bytes() == local)
        .unwrap_or(order.len())
}

fn without_attribute(start: &BytesStart<'_>, drop: &[u8]) -> BytesStart<'static> {
    let mut out = BytesStart::new(String::from_utf8_lossy(start.name().into_inner()).into_owned());
    for a in start.attributes().with_checks(false).flatten() {
        if a.key.into_inner() != drop {
            out.push_attribute(a);
        }
    }
    out.into_owned()
}

fn write(writer: &mut Writer<Vec<u8>>, node: Node) -> std::io::Result<()> {
    match node {
        Node::Element { start, children } if children.is_empty() => {
            writer.write_event(Event::Empty(start))
        }
        Node::Element { start, children } => {
            let end = start.to_end().into_owned();
            writer.write_event(Event::Start(start))?;
            for c in children {
                write(writer, c)?;
            }
            writer.write_event(Event::End(end))
        }
        Node::Other(event) => writer.write_event(event),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `xml` in schema order (empty tags compared without the space docx-rs puts in them).
    fn fixed(xml: &str) -> String {
        String::from_utf8(schema_order(xml.as_bytes()).unwrap_or_default())
            .unwrap_or_default()
            .replace(" />", "/>")
    }

    #[test]
    fn paragraph_properties_follow_the_schema_and_lose_their_empty_run_properties() {
        assert_eq!(
            fixed(
                r#"<w:p><w:pPr><w:rPr /><w:jc w:val="center" /><w:pStyle w:val="T" /></w:pPr></w:p>"#
            ),
            r#"<w:p><w:pPr><w:pStyle w:val="T"/><w:jc w:val="center"/></w:pPr></w:p>"#
        );
        assert_eq!(
            fixed(r#"<w:pPr><w:rPr><w:b/></w:rPr><w:ind w:left="1"/></w:pPr>"#),
            r#"<w:pPr><w:ind w:left="1"/><w:rPr><w:b/></w:rPr></w:pPr>"#,
            "a paragraph mark's run properties stay, after the rest"
        );
        assert_eq!(
            fixed(
                r#"<w:style><w:rPr><w:sz w:val="2"/><w:b/></w:rPr><w:pPr><w:rPr><w:b/></w:rPr></w:pPr><w:name w:val="x"/></w:style>"#
            ),
            r#"<w:style><w:name w:val="x"/><w:pPr/><w:rPr><w:b/><w:sz w:val="2"/></w:rPr></w:style>"#,
            "a style's paragraph properties hold no run properties"
        );
    }

    #[test]
    fn sections_grids_and_settings_follow_the_schema() {
        assert_eq!(
            fixed(r#"<w:sectPr><w:pgSz w:w="1"/><w:footerReference r:id="f"/></w:sectPr>"#),
            r#"<w:sectPr><w:footerReference r:id="f"/><w:pgSz w:w="1"/></w:sectPr>"#
        );
        assert_eq!(
            fixed(r#"<w:tblGrid><w:gridCol w:w="10" w:type="dxa" /></w:tblGrid>"#),
            r#"<w:tblGrid><w:gridCol w:w="10"/></w:tblGrid>"#
        );
        assert_eq!(
            fixed(
                r#"<w:settings><w:defaultTabStop w:val="840"/><w:zoom w:percent="100"/></w:settings>"#
            ),
            r#"<w:settings><w:zoom w:percent="100"/><w:defaultTabStop w:val="840"/></w:settings>"#
        );
    }

    #[test]
    fn text_declarations_and_escapes_pass_through() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:t xml:space="preserve">A &amp; B &lt;「C」&gt; &#x41;</w:t>"#;
        assert_eq!(fixed(xml), xml);
        assert!(schema_order(b"<a><b></a>").is_err());
        assert!(schema_order(b"<a>").is_err());
    }
}
