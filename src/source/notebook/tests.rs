use super::*;

const NOTEBOOK: &str = r#"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": ["mentions `__array__`"]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "import numpy as np\n",
    "%time x = 1\n",
    "y = 2"
   ]
  },
  {
   "cell_type": "code",
   "metadata": {},
   "outputs": [],
   "source": "%%bash\necho hi"
  },
  {
   "cell_type": "code",
   "metadata": {},
   "outputs": [],
   "source": "z = 3\nw = 4\n"
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"#;

#[test]
fn the_python_of_code_cells_with_escapes_blanked() {
    let notebook = Notebook::parse(NOTEBOOK).unwrap();
    let python = notebook.python();
    assert_eq!(
        python.text,
        "import numpy as np\n0          \ny = 2\nz = 3\nw = 4\n\n"
    );
    let at = |row| python.map.locate(row).map(|r| (r.cell, r.row, r.file_line));
    assert_eq!(at(0), Some((2, 1, 14)));
    assert_eq!(at(2), Some((2, 3, 16)));
    // The `%%bash` cell is not read; rows of cell 4 are in its one-line string.
    assert_eq!(at(3), Some((4, 1, 29)));
    assert_eq!(at(5), Some((4, 3, 29)));
}

#[test]
fn bad_notebooks_say_what_is_wrong() {
    let message = |json: &str| Notebook::parse(json).unwrap_err().0;
    assert!(message("{").contains("not valid JSON"), "{}", message("{"));
    assert!(message("[1]").contains("not a JSON object"));
    assert!(message(r#"{"nbformat": 3, "worksheets": []}"#).contains("nbformat 3"));
    assert!(message(r#"{"cells": []}"#).contains("no `nbformat`"));
    let bad_cells = message(r#"{"nbformat": 4, "cells": [{"cell_type": "code"}]}"#);
    assert!(
        bad_cells.contains("does not follow nbformat 4"),
        "{bad_cells}"
    );
    let bad_source = message(r#"{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}"#);
    assert!(bad_source.contains("cell 1"), "{bad_source}");
}

#[test]
fn writing_back_changes_only_the_edited_cells() {
    use crate::diagnostic::Edit;
    use ruff_text_size::{TextRange, TextSize};
    let notebook = Notebook::parse(NOTEBOOK).unwrap();
    let python = notebook.python();
    let at = |needle: &str| TextSize::try_from(python.text.find(needle).unwrap()).unwrap();
    // Rename `y` (cell 2, after the blanked escape) and add a line to cell 4.
    let y = at("y = 2");
    let edits = [
        Edit::replacement(TextRange::new(y, y + TextSize::new(1)), "yy"),
        Edit::insertion(at("w = 4") + TextSize::new(6), "v = 5\n"),
    ];
    let mut tracked = python.tracked();
    let chosen: Vec<&Edit> = edits.iter().collect();
    assert!(tracked.follow(&chosen));
    let fixed = python
        .text
        .replace("y = 2", "yy = 2")
        .replace("w = 4\n", "w = 4\nv = 5\n");
    let written = notebook.write_back(&python, &fixed, &tracked).unwrap();
    let json = written.json;
    assert_eq!(
        written.changed.iter().map(|c| c.number).collect::<Vec<_>>(),
        [2, 4]
    );
    let expected = NOTEBOOK
        .replace("\"y = 2\"", "\"yy = 2\"")
        .replace(r#""z = 3\nw = 4\n""#, r#""z = 3\nw = 4\nv = 5\n""#);
    assert_eq!(json, expected);
}

#[test]
fn an_edit_of_an_escape_or_across_cells_is_refused() {
    use crate::diagnostic::Edit;
    use ruff_text_size::{TextRange, TextSize};
    let notebook = Notebook::parse(NOTEBOOK).unwrap();
    let python = notebook.python();
    let at = |needle: &str| TextSize::try_from(python.text.find(needle).unwrap()).unwrap();
    let escape = Edit::replacement(TextRange::new(at("0 "), at("0 ") + TextSize::new(1)), "1");
    assert!(!python.tracked().follow(&[&escape]));
    let across = Edit::replacement(TextRange::new(at("y = 2"), at("w = 4")), "");
    assert!(!python.tracked().follow(&[&across]));
}

#[test]
fn a_list_source_keeps_its_layout_and_unchanged_lines() {
    let json = "{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": [\n    \"a = '\\u00e9'\\n\",\n    \"b = 1\"\n   ]}]}";
    let notebook = Notebook::parse(json).unwrap();
    let python = notebook.python();
    assert_eq!(python.text, "a = 'é'\nb = 1\n");
    let fixed = "a = 'é'\nb = 2\nc = 3\n";
    let tracked = python.tracked();
    let out = notebook.write_back(&python, fixed, &tracked).unwrap().json;
    assert_eq!(
        out,
        "{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": [\n    \"a = '\\u00e9'\\n\",\n    \"b = 2\\n\",\n    \"c = 3\"\n   ]}]}"
    );
}

#[test]
fn an_ascii_file_keeps_non_ascii_escaped() {
    assert_eq!(
        json_string("é\u{1F600}\n", true),
        r#""\u00e9\ud83d\ude00\n""#
    );
    assert_eq!(json_string("é\n", false), "\"é\\n\"");
}

#[test]
fn a_byte_order_mark_is_read_past_and_kept() {
    let json =
        "\u{feff}{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": \"x = 1\"}]}";
    let notebook = Notebook::parse(json).unwrap();
    let python = notebook.python();
    assert_eq!(python.text, "x = 1\n");
    let out = notebook
        .write_back(&python, "x = 2\n", &python.tracked())
        .unwrap()
        .json;
    assert_eq!(out, json.replace("x = 1", "x = 2"));
}

#[test]
fn a_byte_order_mark_does_not_unmake_an_ascii_file() {
    let json = "\u{feff}{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": \"x = '\\u00e9'\"}]}";
    let notebook = Notebook::parse(json).unwrap();
    let python = notebook.python();
    assert_eq!(python.text, "x = 'é'\n");
    let out = notebook
        .write_back(&python, "y = 'é'\n", &python.tracked())
        .unwrap()
        .json;
    assert_eq!(out, json.replace("x = ", "y = "));
}

#[test]
fn vscode_metadata_without_a_language_is_python() {
    let json = r#"{"nbformat": 4, "cells": [{"cell_type": "code", "metadata": {"vscode": {}}, "source": "x = 1"}]}"#;
    let notebook = Notebook::parse(json).unwrap();
    assert_eq!(notebook.python().text, "x = 1\n");
}
