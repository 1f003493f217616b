"""Data tables: rows are added and deleted with undo, the Undo/Redo actions read in one
language, and the kind column takes the Chinese names the importer takes."""

from __future__ import annotations

from planner.store import Project
from tests.support.qt import type_into_cell
from ui import strings


def _ids(model) -> list[str]:
    return [str(model.value(r, "id")) for r in range(model.rowCount())]


def test_a_row_is_added_and_deleted_with_undo_and_saved(qtbot, window, project_file):  # noqa: F811
    window.data_tabs.setCurrentWidget(window.table_views["libraries"])
    model = window.table_models["libraries"]
    before = _ids(model)
    window.add_row_button.click()
    added = _ids(model)
    assert len(added) == len(before) + 1 and added[-1] not in before and window.dirty
    assert model.value(len(before), "lon") is not None  # a point to move, on the map
    window.act_undo.trigger()
    assert _ids(model) == before
    window.act_redo.trigger()
    assert _ids(model) == added
    window.table_views["libraries"].selectRow(1)
    window.delete_rows_button.click()
    assert _ids(model) == [added[0], *added[2:]]
    assert window.act_undo.text() == f"{strings.tr('undo')} {window.undo_stack.undoText()}"
    window.act_undo.trigger()
    assert _ids(model) == added and model.value(1, "name") == "龙湾区图书馆"  # back in place
    window.act_redo.trigger()
    assert window.save_edits()
    with Project.open(project_file) as project:
        stored = list(project.read_layer("libraries")["id"])
    assert stored == [added[0], *added[2:]]


def test_undo_texts_are_in_the_window_language_and_kind_takes_chinese_names(qtbot, window):  # noqa: F811
    model = window.table_models["libraries"]
    type_into_cell(qtbot, window, "libraries", "kind", 3, "城市书房")  # as the importer reads it
    assert model.value(3, "kind") == "study_room"
    assert not window.edit_message.isVisible()
    undo = window.act_undo.text()
    assert "Undo" not in undo and undo.startswith(strings.tr("undo") + " ")
    assert strings.tr("col_kind") in undo or "类型" in undo
    window.set_language("en")
    assert window.act_undo.text().startswith("Undo ") and "撤销" not in window.act_undo.text()
    window.set_language("zh")
