package io.sage.gateway.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Left-aligned columns separated by two spaces; the header is bold on a colour terminal. */
final class Table {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... headers) {
    this.headers = List.of(headers);
  }

  /** Adds a row; null or blank cells show as "-". */
  Table row(String... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          "row has "
              + cells.length
              + " cells, table has "
              + headers.size()
              + " columns: "
              + Arrays.toString(cells));
    }
    List<String> row = new ArrayList<>();
    for (String cell : cells) {
      row.add(cell == null || cell.isBlank() ? "-" : cell.replace('\n', ' '));
    }
    rows.add(row);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  List<String> render(Ansi ansi) {
    int[] widths = new int[headers.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = headers.get(c).length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], Ansi.visibleLength(row.get(c)));
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(ansi.bold(line(headers, widths)));
    for (List<String> row : rows) {
      lines.add(line(row, widths));
    }
    return lines;
  }

  private static String line(List<String> cells, int[] widths) {
    StringBuilder text = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      String cell = cells.get(c);
      text.append(cell);
      if (c < cells.size() - 1) {
        text.append(" ".repeat(widths[c] - Ansi.visibleLength(cell) + 2));
      }
    }
    return text.toString();
  }
}
