//! The report as a Word document (docx-rs): the 事案報告書 a 課長 can edit, stamp and file.
//! A4 portrait; the 決裁欄, 文書番号, 日付 and the issuing office at the top (from `[report]`
//! in hikeshi.toml, or blank lines to fill in by hand); then the sections of the HTML report
//! from the same model, as headings and tables. Japanese text is set in the configured fonts
//! (body ＭＳ 明朝, headings 游ゴシック by default), each with its stand-ins in the font table.
//! The timeline chart is a picture: the SVG chart without text, rasterised by resvg (no fonts
//! needed), with a table naming its rows.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, FieldCharType, Footer, Header, HeightRule,
    InstrNUMPAGES, InstrPAGE, InstrText, LineSpacing, PageMargin, PageOrientationType, Paragraph,
    Run, RunFonts, Shading, Style, StyleType, Table, TableBorder, TableBorderPosition,
    TableBorders, TableCell, TableLayoutType, TableRow, WidthType,
};

pub(crate) mod ledger;
mod order;
mod sections;

use super::model::Report;
use super::svg::Layout;
use super::{ReportError, label};
use crate::clock::format_jst;
use crate::config::ReportConfig;
use crate::lang::Lang;
use crate::playbook::duration::format_duration;

/// A4 in twentieths of a point (twips).
const PAGE: (u32, u32) = (11_906, 16_838);
/// Margins in twips: 20 mm, with 25 mm on the left for binding (綴じ代).
const MARGIN: (i32, i32, i32, i32) = (1134, 1134, 1134, 1417);
/// Header and footer distance from the edge: 10 mm.
const HEADER: i32 = 567;
/// The width of the text between the margins.
const TEXT_WIDTH: usize = (PAGE.0 as usize) - 1134 - 1417;
/// The height of the text between the margins.
const TEXT_HEIGHT: usize = (PAGE.1 as usize) - 1134 - 1134;
/// Twips to EMU (pictures are measured in EMU).
const EMU_PER_TWIP: u32 = 635;
/// Body text 10.5 pt, tables 9 pt, small print 8 pt (in half points).
const BODY_SIZE: usize = 21;
const TABLE_SIZE: usize = 18;
const SMALL_SIZE: usize = 16;
/// The typeface of hashes and addresses.
const MONO: &str = "Consolas";
/// The picture's scale over the SVG's own units, and the most pixels it may have.
const CHART_SCALE: f32 = 2.0;
const CHART_MAX_PIXELS: f32 = 8_000_000.0;

/// How a piece of text is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Plain,
    Strong,
    Bad,
    Good,
    Muted,
    Mono,
}

/// One paragraph of a table cell (line breaks inside it stay line breaks).
struct Line {
    text: String,
    tone: Tone,
}

/// A table cell: its paragraphs.
#[derive(Default)]
struct Cell(Vec<Line>);

impl Cell {
    fn new(text: impl Into<String>) -> Cell {
        Cell::default().and(text, Tone::Plain)
    }

    fn toned(text: impl Into<String>, tone: Tone) -> Cell {
        Cell::default().and(text, tone)
    }

    /// Adds a paragraph (none for empty text).
    fn and(mut self, text: impl Into<String>, tone: Tone) -> Cell {
        let text = text.into();
        if !text.is_empty() {
            self.0.push(Line { text, tone });
        }
        self
    }
}

/// A time in Japan, or nothing.
fn jst(t: Option<DateTime<FixedOffset>>) -> String {
    t.map(|t| format_jst(t, false)).unwrap_or_default()
}

fn duration(seconds: i64, lang: Lang) -> String {
    TimeDelta::try_seconds(seconds).map_or_else(|| "-".to_string(), |d| format_duration(d, lang))
}

/// Text as XML 1.0 allows it: no control characters other than tab and line breaks.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
        .filter(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        .collect()
}

/// A run of text: line breaks become breaks, tabs tabs.
fn run(text: &str, tone: Tone, size: Option<usize>) -> Run {
    let mut r = Run::new();
    for (i, line) in clean(text).split('\n').enumerate() {
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                r = r.add_tab();
            }
            if !piece.is_empty() {
                r = r.add_text(piece);
            }
        }
    }
    r = match tone {
        Tone::Plain => r,
        Tone::Strong => r.bold(),
        Tone::Bad => r.bold().color("B00000"),
        Tone::Good => r.color("006000"),
        Tone::Muted => r.color("666666"),
        Tone::Mono => r
            .fonts(RunFonts::new().ascii(MONO).hi_ansi(MONO).cs(MONO))
            .size(SMALL_SIZE),
    };
    match size {
        Some(s) if tone != Tone::Mono => r.size(s),
        _ => r,
    }
}

fn paragraph(text: &str, tone: Tone) -> Paragraph {
    Paragraph::new().add_run(run(text, tone, None))
}

/// The document as it is built, section by section.
struct Doc {
    docx: Docx,
    lang: Lang,
    /// The width of the text between the margins, in twips (tables fill it).
    width: usize,
}

impl Doc {
    fn add(&mut self, p: Paragraph) {
        let docx = std::mem::take(&mut self.docx);
        self.docx = docx.add_paragraph(p);
    }

    fn add_table(&mut self, t: Table) {
        let docx = std::mem::take(&mut self.docx);
        // An empty paragraph after each table, so two tables never run into one.
        self.docx = docx.add_table(t).add_paragraph(Paragraph::new());
    }

    fn heading(&mut self, text: &str, level: usize) {
        let style = if level == 1 { "Heading1" } else { "Heading2" };
        self.add(Paragraph::new().style(style).keep_next(true).add_run(run(
            text,
            Tone::Plain,
            None,
        )));
    }

    fn text(&mut self, text: &str, tone: Tone) {
        self.add(paragraph(text, tone));
    }

    fn none(&mut self) {
        let none = label("none", self.lang);
        self.text(none, Tone::Muted);
    }

    /// A table across the page: a shaded header row (repeated on every page) and the rows,
    /// each kept on one page. `weights` share the width out among the columns.
    fn table(&mut self, header: &[&str], weights: &[usize], rows: Vec<Vec<Cell>>) {
        let widths = widths(weights, self.width);
        let mut all = Vec::with_capacity(rows.len() + 1);
        if !header.is_empty() {
            let cells = header
                .iter()
                .zip(&widths)
                .map(|(h, w)| {
                    cell(Cell::toned(*h, Tone::Strong), *w).shading(Shading::new().fill("E8E8E8"))
                })
                .collect();
            all.push(header_row(cells));
        }
        for row in rows {
            let cells = row.into_iter().zip(&widths).map(|(c, w)| cell(c, *w));
            all.push(TableRow::new(cells.collect()).cant_split());
        }
        self.add_table(
            Table::new(all)
                .set_grid(widths)
                .width(self.width, WidthType::Dxa)
                .layout(TableLayoutType::Fixed),
        );
    }

    /// A table of facts: a label on the left, its value on the right.
    fn facts(&mut self, rows: Vec<(&str, Cell)>) {
        let rows = rows
            .into_iter()
            .map(|(k, v)| vec![Cell::toned(k, Tone::Strong), v])
            .collect();
        self.table(&[], &[28, 72], rows);
    }

    /// A framed box of text across the page (a warning, a statement as posted).
    fn boxed(&mut self, lines: Cell, border: &str, fill: &str) {
        let borders = [
            TableBorderPosition::Top,
            TableBorderPosition::Left,
            TableBorderPosition::Bottom,
            TableBorderPosition::Right,
        ]
        .into_iter()
        .fold(TableBorders::with_empty(), |b, position| {
            b.set(
                TableBorder::new(position)
                    .border_type(BorderType::Single)
                    .size(12)
                    .color(border),
            )
        });
        let c = cell(lines, self.width).shading(Shading::new().fill(fill));
        self.add_table(
            Table::new(vec![TableRow::new(vec![c])])
                .set_grid(vec![self.width])
                .width(self.width, WidthType::Dxa)
                .layout(TableLayoutType::Fixed)
                .set_borders(borders),
        );
    }
}

/// Column widths in twips from their weights, filling `width`.
fn widths(weights: &[usize], width: usize) -> Vec<usize> {
    let total: usize = weights.iter().sum::<usize>().max(1);
    weights.iter().map(|w| width * w / total).collect()
}

fn cell(c: Cell, width: usize) -> TableCell {
    let mut out = TableCell::new().width(width, WidthType::Dxa);
    if c.0.is_empty() {
        return out.add_paragraph(Paragraph::new());
    }
    for line in c.0 {
        out = out.add_paragraph(Paragraph::new().add_run(run(
            &line.text,
            line.tone,
            Some(TABLE_SIZE),
        )));
    }
    out
}

/// The fonts of the body and headings: a run's fonts for every script, Japanese first.
fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .ascii(name)
        .hi_ansi(name)
        .east_asia(name)
        .cs(name)
        .hint("eastAsia")
}

/// XML attribute escaping.
fn attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in clean(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// word/fontTable.xml: each font used, with its stand-ins as `w:altName` (a comma-separated
/// list a consumer may use where the font is missing, ECMA-376 §17.8.3.1) and the Japanese
/// character set, so Word substitutes a Japanese font of the same kind.
fn font_table(body: &[String], heading: &[String]) -> Vec<u8> {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    );
    let mut written: Vec<&str> = Vec::new();
    for (list, family) in [(body, "roman"), (heading, "swiss")] {
        let Some((name, stand_ins)) = list.split_first() else {
            continue;
        };
        if written.contains(&name.as_str()) {
            continue;
        }
        written.push(name);
        let _ = write!(xml, r#"<w:font w:name="{}">"#, attr(name));
        if !stand_ins.is_empty() {
            let _ = write!(
                xml,
                r#"<w:altName w:val="{}"/>"#,
                attr(&stand_ins.join(","))
            );
        }
        let _ = write!(
            xml,
            r#"<w:charset w:val="80"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>"#
        );
    }
    let _ = write!(
        xml,
        r#"<w:font w:name="{MONO}"><w:charset w:val="00"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font></w:fonts>"#
    );
    xml.into_bytes()
}

/// docProps/core.xml: the title, hikeshi as the creator, and the report's time (so the same
/// record and time give the same file).
fn core_props(report: &Report, lang: Lang) -> Vec<u8> {
    let title = format!("{}: {}", label("report", lang), report.overview.title);
    core_props_of(&title, report.generated_at, lang)
}

/// docProps/core.xml with `title`, hikeshi as the creator, and `at` as its time.
fn core_props_of(title: &str, at: DateTime<FixedOffset>, lang: Lang) -> Vec<u8> {
    let when = at.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ");
    let title = attr(title);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title><dc:creator>hikeshi</dc:creator><cp:lastModifiedBy>hikeshi</cp:lastModifiedBy><dc:language>{}</dc:language><cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>"#,
        if lang == Lang::En { "en" } else { "ja-JP" },
    )
    .into_bytes()
}

/// How a header row is built: kept on one page and at least one twip high, a combination no
/// other row has, so that [`repeat_headers`] can find it.
fn header_row(cells: Vec<TableCell>) -> TableRow {
    TableRow::new(cells)
        .cant_split()
        .row_height(1.0)
        .height_rule(HeightRule::AtLeast)
}

/// What a [`header_row`]'s properties look like in document.xml, and what they become.
const HEADER_ROW: &[u8] =
    br#"<w:trPr><w:cantSplit /><w:trHeight w:val="1" w:hRule="atLeast" /></w:trPr>"#;
const REPEATED_ROW: &[u8] = b"<w:trPr><w:cantSplit /><w:tblHeader /></w:trPr>";

/// Marks every header row to be repeated at the top of each page its table runs onto
/// (`w:tblHeader`, which docx-rs does not write).
fn repeat_headers(document: Vec<u8>) -> Vec<u8> {
    replace(&document, HEADER_ROW, REPEATED_ROW)
}

/// The paragraph style `Normal` as docx-rs writes it (it always adds one), and marked as the
/// default one (which docx-rs cannot say), so Word shows the body text as 標準 and readers
/// know the style of a paragraph that names none.
const NORMAL: &[u8] = br#"<w:style w:type="paragraph" w:styleId="Normal">"#;
const DEFAULT_NORMAL: &[u8] = br#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#;

/// `bytes` with every `from` replaced by `to`.
fn replace(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        // Nothing to look for (and `windows(0)` would panic).
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = find(rest, from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The timeline chart as a PNG (the label-free SVG rasterised), with its size in pixels.
fn chart_png(report: &Report, layout: &Layout<'_>) -> Result<(Vec<u8>, u32, u32), String> {
    use resvg::{tiny_skia, usvg};
    let svg = super::svg::plain(report, layout);
    let tree = usvg::Tree::from_str(&svg, &usvg::Options::default()).map_err(|e| e.to_string())?;
    let size = tree.size();
    let pixels = size.width() * size.height();
    let scale = CHART_SCALE.min((CHART_MAX_PIXELS / pixels.max(1.0)).sqrt());
    let (w, h) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w.max(1), h.max(1))
        .ok_or_else(|| format!("no picture of {w}×{h} pixels"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap.encode_png().map_err(|e| e.to_string())?;
    Ok((png, w, h))
}

/// The paper: A4 upright, or on its side for a wide table (the 一覧表).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paper {
    Portrait,
    Landscape,
}

impl Paper {
    /// The page's width and height in twips.
    fn size(self) -> (u32, u32) {
        match self {
            Paper::Portrait => PAGE,
            Paper::Landscape => (PAGE.1, PAGE.0),
        }
    }

    /// The width of the text between the margins.
    fn text_width(self) -> usize {
        match self {
            Paper::Portrait => TEXT_WIDTH,
            Paper::Landscape => (PAGE.1 as usize) - 1134 - 1417,
        }
    }
}

/// A new document in the house style: the paper and margins, the configured fonts, the
/// title and heading styles, its creation time.
fn new_document(config: &ReportConfig, paper: Paper, created: &str) -> Docx {
    let body = config.body_font();
    let heading = config.heading_font();
    let body_font = body.first().map_or("", String::as_str);
    let heading_font = heading.first().map_or("", String::as_str);
    let space = |before: u32, after: u32| LineSpacing::new().before(before).after(after);
    let (w, h) = paper.size();
    let docx = Docx::new().page_size(w, h);
    let docx = match paper {
        Paper::Portrait => docx,
        Paper::Landscape => docx.page_orient(PageOrientationType::Landscape),
    };
    docx.page_margin(
        PageMargin::new()
            .top(MARGIN.0)
            .bottom(MARGIN.1)
            .right(MARGIN.2)
            .left(MARGIN.3)
            .header(HEADER)
            .footer(HEADER),
    )
    .default_fonts(fonts(body_font))
    .default_size(BODY_SIZE)
    .default_line_spacing(space(0, 0))
    .add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .fonts(fonts(heading_font))
            .size(32)
            .bold()
            .align(AlignmentType::Center)
            .line_spacing(space(240, 120)),
    )
    .add_style(
        Style::new("Heading1", StyleType::Paragraph)
            .name("heading 1")
            .fonts(fonts(heading_font))
            .size(26)
            .bold()
            .outline_lvl(0)
            .line_spacing(space(360, 120)),
    )
    .add_style(
        Style::new("Heading2", StyleType::Paragraph)
            .name("heading 2")
            .fonts(fonts(heading_font))
            .size(22)
            .bold()
            .outline_lvl(1)
            .line_spacing(space(200, 80)),
    )
    .created_at(created)
}

/// The package's bytes: the document built, its font table and core properties written,
/// header rows repeated, and every part put in the schema's order.
fn package(docx: Docx, config: &ReportConfig, core: Vec<u8>) -> Result<Vec<u8>, ReportError> {
    let mut xml = docx.build();
    xml.font_table = font_table(&config.body_font(), &config.heading_font());
    xml.doc_props.core = core;
    xml.document = repeat_headers(xml.document);
    xml.styles = replace(&xml.styles, NORMAL, DEFAULT_NORMAL);
    // docx-rs's own order is not the schema's (order.rs says where and why).
    let ordered = |part: &[u8]| order::schema_order(part).map_err(ReportError::Docx);
    xml.document = ordered(&xml.document)?;
    xml.styles = ordered(&xml.styles)?;
    xml.settings = ordered(&xml.settings)?;
    xml.numberings = ordered(&xml.numberings)?;
    for part in xml.headers.iter_mut().chain(xml.footers.iter_mut()) {
        *part = ordered(part)?;
    }
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| ReportError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

/// The document's bytes.
pub(super) fn docx(report: &Report, config: &ReportConfig) -> Result<Vec<u8>, ReportError> {
    let lang: Lang = report.lang.parse().unwrap_or_default();
    let docx = new_document(config, Paper::Portrait, &report.generated_at.to_rfc3339())
        .footer(footer(report, lang));
    let docx = if report.exercise {
        // Every printed page of a drill says so.
        docx.header(
            Header::new().add_paragraph(Paragraph::new().align(AlignmentType::Right).add_run(run(
                "【訓練】",
                Tone::Bad,
                None,
            ))),
        )
    } else {
        docx
    };
    let mut doc = Doc {
        docx,
        lang,
        width: Paper::Portrait.text_width(),
    };
    sections::letterhead(&mut doc, report, config);
    sections::overview(&mut doc, report);
    sections::drill(&mut doc, report);
    sections::decisions(&mut doc, report);
    sections::clauses(&mut doc, report);
    sections::timeline(&mut doc, report).map_err(ReportError::Docx)?;
    sections::steps(&mut doc, report);
    sections::deviations(&mut doc, report);
    sections::notifications(&mut doc, report);
    sections::statements(&mut doc, report);
    sections::evidence(&mut doc, report);
    sections::integrity(&mut doc, report);
    package(doc.docx, config, core_props(report, lang))
}

/// The footer of every page: the incident and the page number, all in small grey print.
fn footer(report: &Report, lang: Lang) -> Footer {
    let small = |text: &str| run(text, Tone::Muted, Some(SMALL_SIZE));
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(small(&format!(
                "{} {}　",
                label("incident_id", lang),
                report.incident
            )))
            .add_run(field(small(""), InstrText::PAGE(InstrPAGE::new())))
            .add_run(small(" / "))
            .add_run(field(small(""), InstrText::NUMPAGES(InstrNUMPAGES::new()))),
    )
}

/// A field (the page number, the number of pages) in the run properties of `r`: docx-rs's
/// own `PageNum` and `NumPages` are runs without properties, printed in the document's
/// default size and colour beside the small grey text around them.
fn field(r: Run, instr: InstrText) -> Run {
    r.add_field_char(FieldCharType::Begin, false)
        .add_instr_text(instr)
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_swaps_every_occurrence_and_an_empty_pattern_changes_nothing() {
        assert_eq!(replace(b"a-b-c", b"-", b"+="), b"a+=b+=c".to_vec());
        assert_eq!(replace(b"abc", b"", b"x"), b"abc".to_vec());
    }

    #[test]
    fn header_rows_repeat_on_every_page_and_no_other_row_does() {
        let mut doc = Doc {
            docx: Docx::new(),
            lang: Lang::Ja,
            width: TEXT_WIDTH,
        };
        doc.table(
            &["a", "b"],
            &[1, 1],
            vec![vec![Cell::new("1"), Cell::new("2")]],
        );
        doc.facts(vec![("k", Cell::new("v"))]);
        let xml = String::from_utf8(repeat_headers(doc.docx.build().document)).unwrap_or_default();
        assert_eq!(xml.matches("<w:tblHeader />").count(), 1, "{xml}");
        assert_eq!(xml.matches("<w:cantSplit />").count(), 3, "{xml}");
        assert!(!xml.contains("w:trHeight"), "{xml}");
    }

    #[test]
    fn text_that_xml_cannot_hold_is_dropped() {
        assert_eq!(clean("a\u{1}b\tc\nd\u{FFFF}"), "ab\tc\nd");
        assert_eq!(attr("A&B \"C\" <D>"), "A&amp;B &quot;C&quot; &lt;D&gt;");
    }
}
