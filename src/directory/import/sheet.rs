//! What every list read from a spreadsheet shares (the contact list, the account register's
//! 一覧表): which sheets to look at, the header row found by the fields its cells name, the
//! columns nobody reads, the rows with something to read, and a field's cell.

use std::collections::BTreeMap;

use super::{Cell, Column, Grid, column_letter};

/// A grid's name as messages give it: the sheet's, or `CSV`.
pub fn sheet_name(grid: &Grid) -> String {
    grid.sheet.clone().unwrap_or_else(|| "CSV".to_string())
}

/// The first grid to look at (the one `sheet` names, else each in order) in which `find`
/// finds the header row, with it. A name no sheet has is `no_such` (the name, the sheets
/// there are); no header in any is `no_header` (the sheets looked at).
pub fn first_with_header<'g, F, E>(
    grids: &'g [Grid],
    sheet: Option<&str>,
    find: impl Fn(&Grid) -> Result<Option<Header<F>>, E>,
    no_such: impl FnOnce(String, Vec<String>) -> E,
    no_header: impl FnOnce(Vec<String>) -> E,
) -> Result<(&'g Grid, Header<F>), E> {
    let candidates = candidates(grids, sheet)
        .map_err(|sheets| no_such(sheet.unwrap_or_default().to_string(), sheets))?;
    for grid in &candidates {
        if let Some(header) = find(grid)? {
            return Ok((grid, header));
        }
    }
    Err(no_header(
        candidates.iter().map(|g| sheet_name(g)).collect(),
    ))
}

/// The grids to look at for a header: the one `sheet` names, else every one in order. A name
/// no sheet has gives the names there are.
fn candidates<'g>(grids: &'g [Grid], sheet: Option<&str>) -> Result<Vec<&'g Grid>, Vec<String>> {
    match sheet {
        Some(name) => grids
            .iter()
            .find(|g| g.sheet.as_deref() == Some(name))
            .map(|g| vec![g])
            .ok_or_else(|| grids.iter().map(sheet_name).collect()),
        None => Ok(grids.iter().collect()),
    }
}

/// A row read as a header: every column as written, the column of each field its cells name
/// (the first, when two name the same), and the first field named twice.
#[derive(Debug, Clone)]
pub struct Header<F> {
    /// The row's index in the grid (0-based).
    pub row: usize,
    /// The column of each field.
    pub fields: BTreeMap<F, usize>,
    /// Every column of the row.
    pub columns: Vec<Column>,
    /// The first field two columns name, with both columns.
    pub duplicate: Option<(F, usize, usize)>,
}

impl<F: Ord + Copy> Header<F> {
    /// Reads row `row` of `grid`, knowing a field by its header with `field_of`.
    pub fn scan(grid: &Grid, row: usize, field_of: impl Fn(&str) -> Option<F>) -> Header<F> {
        let mut header = Header {
            row,
            fields: BTreeMap::new(),
            columns: Vec::new(),
            duplicate: None,
        };
        for (j, cell) in grid.rows.get(row).into_iter().flatten().enumerate() {
            let text = cell.text();
            header.columns.push(Column {
                letter: column_letter(j),
                header: text.to_string(),
            });
            if let Some(f) = field_of(text) {
                if let Some(first) = header.fields.get(&f) {
                    header.duplicate.get_or_insert((f, *first, j));
                } else {
                    header.fields.insert(f, j);
                }
            }
        }
        header
    }

    /// The first field two columns name, with both columns as messages name them.
    pub fn duplicate_shown(&self) -> Option<(F, String, String)> {
        self.duplicate
            .map(|(field, a, b)| (field, self.shown(a), self.shown(b)))
    }

    /// Whether the row names every one of `fields`.
    pub fn has(&self, fields: &[F]) -> bool {
        fields.iter().all(|f| self.fields.contains_key(f))
    }

    /// The column `col` as written (a column past the header's last is nameless).
    pub fn column(&self, col: usize) -> Column {
        self.columns.get(col).cloned().unwrap_or_else(|| Column {
            letter: column_letter(col),
            header: String::new(),
        })
    }

    /// The column of `field`, if the sheet has one.
    pub fn column_of(&self, field: F) -> Option<Column> {
        self.fields.get(&field).map(|c| self.column(*c))
    }

    /// A column as messages name it: `B「メール」`.
    pub fn shown(&self, col: usize) -> String {
        let c = self.column(col);
        format!("{}「{}」", c.letter, c.header)
    }

    /// The columns with a header that no field reads (said, so a typo is not lost silently).
    pub fn ignored(&self) -> Vec<Column> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(j, c)| !c.header.is_empty() && !self.fields.values().any(|u| u == j))
            .map(|(_, c)| c.clone())
            .collect()
    }

    /// The rows below the header with something in a column read: a row with text only in
    /// columns nobody reads is empty.
    pub fn rows<'g>(&'g self, grid: &'g Grid) -> impl Iterator<Item = usize> + 'g {
        (self.row + 1..grid.rows.len())
            .filter(move |&row| self.fields.values().any(|c| !grid.cell(row, *c).is_blank()))
    }

    /// The cell of `field` on `row` with its text (CRLF as LF); `None` when the sheet has no
    /// such column or the cell is empty.
    pub fn cell<'g>(&self, grid: &'g Grid, row: usize, field: F) -> Option<(&'g Cell, String)> {
        let cell = grid.cell(row, *self.fields.get(&field)?);
        let text = cell.text().replace("\r\n", "\n");
        match cell {
            Cell::Empty => None,
            Cell::Text(_) if text.is_empty() => None,
            _ => Some((cell, text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid {
            sheet: Some("名簿".into()),
            rows: rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| {
                            if c.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text((*c).to_string())
                            }
                        })
                        .collect()
                })
                .collect(),
        }
    }

    fn field(text: &str) -> Option<u8> {
        match text {
            "名前" | "氏名" => Some(1),
            "メール" => Some(2),
            _ => None,
        }
    }

    #[test]
    fn a_header_names_its_fields_its_twice_named_field_and_the_columns_nobody_reads() {
        let g = grid(&[&["名前", "備考", "メール", "氏名", ""]]);
        let h = Header::scan(&g, 0, field);
        assert_eq!(h.fields, BTreeMap::from([(1, 0), (2, 2)]));
        assert_eq!(h.duplicate, Some((1, 0, 3)));
        assert!(h.has(&[1, 2]) && !h.has(&[3]));
        let ignored: Vec<String> = h.ignored().into_iter().map(|c| c.letter).collect();
        assert_eq!(ignored, ["B", "D"]);
        assert_eq!(h.shown(2), "C「メール」");
        assert_eq!(h.column(9).letter, "J");
    }

    #[test]
    fn only_rows_with_something_in_a_column_read_are_rows() {
        let g = grid(&[
            &["名前", "備考", "メール"],
            &["広報", "", ""],
            &["", "メモだけ", ""],
            &["", "", ""],
            &["", "", "a@example.jp"],
        ]);
        let h = Header::scan(&g, 0, field);
        assert_eq!(h.rows(&g).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(h.cell(&g, 1, 1).map(|(_, t)| t), Some("広報".into()));
        assert_eq!(h.cell(&g, 1, 2), None);
    }

    #[test]
    fn a_sheet_asked_for_is_the_only_one_looked_at() {
        let grids = [grid(&[]), Grid::default()];
        assert_eq!(candidates(&grids, None).unwrap().len(), 2);
        assert_eq!(candidates(&grids, Some("名簿")).unwrap().len(), 1);
        assert_eq!(
            candidates(&grids, Some("なし")).unwrap_err(),
            ["名簿", "CSV"]
        );
    }
}
