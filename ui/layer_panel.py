"""The layer panel: every map group with a colour swatch and a check box to show or hide it;
service points are grouped by kind under one parent."""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QColor, QIcon, QPixmap
from PyQt6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from ui.map_view import MapLayer
from ui.strings import tr

_KEY = Qt.ItemDataRole.UserRole


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class LayerPanel(QTreeWidget):
    """Emits `visibilityChanged(key, visible)` when the user ticks or unticks a layer."""

    visibilityChanged = pyqtSignal(str, bool)
    colourRequested = pyqtSignal(str)  # double-click: the user wants to restyle this layer

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, self.header().ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, self.header().ResizeMode.ResizeToContents)
        self.itemChanged.connect(self._on_item_changed)
        self.itemDoubleClicked.connect(self._on_double_click)
        self._filling = False
        self.retranslate()

    def retranslate(self) -> None:
        self.setHeaderLabels([tr("dock_layers"), "#"])
        self.setToolTip(tr("layer_tip"))

    def set_layers(self, layers: list[MapLayer], hidden: set[str]) -> None:
        """Rebuild the tree for the map's current groups, ticking the ones shown."""
        self._filling = True
        self.clear()
        libraries: QTreeWidgetItem | None = None
        for layer in layers:
            if layer.key.startswith("libraries:"):
                if libraries is None:
                    libraries = QTreeWidgetItem(self, [tr("layer_libraries"), ""])
                    libraries.setFlags(
                        libraries.flags()
                        | Qt.ItemFlag.ItemIsUserCheckable
                        | Qt.ItemFlag.ItemIsAutoTristate
                    )
                    libraries.setData(0, _KEY, "libraries")
                parent = libraries
            else:
                parent = self.invisibleRootItem()
            item = QTreeWidgetItem(parent, [layer.label, f"{layer.features:,}"])
            item.setIcon(0, _swatch(layer.colour))
            item.setData(0, _KEY, layer.key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                0, Qt.CheckState.Unchecked if layer.key in hidden else Qt.CheckState.Checked
            )
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
        if libraries is not None:
            total = sum(
                int(libraries.child(i).text(1).replace(",", ""))
                for i in range(libraries.childCount())
            )
            libraries.setText(1, f"{total:,}")
        self.expandAll()
        self._filling = False

    def item_for(self, key: str) -> QTreeWidgetItem | None:
        for item in self._items():
            if item.data(0, _KEY) == key:
                return item
        return None

    def _items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop()
            found.append(item)
            stack.extend(item.child(i) for i in range(item.childCount()))
        return found

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(0, _KEY)
        if self._filling or column != 0 or key == "libraries":
            return
        self.visibilityChanged.emit(key, item.checkState(0) == Qt.CheckState.Checked)

    def _on_double_click(self, item: QTreeWidgetItem, column: int) -> None:
        key = item.data(0, _KEY)
        if key and key != "libraries":
            self.colourRequested.emit(key)
