//! Plain-text tables and the units shown in them.

/// Formats `rows` under `headers` in left-aligned columns two spaces apart, without trailing
/// spaces.
pub fn render_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|header| header.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }

    let header_row: Vec<String> = headers.iter().map(|header| (*header).to_owned()).collect();
    let mut text = String::new();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(&widths) {
            line.push_str(&format!("{cell:<width$}  "));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// Formats a duration in seconds as its two largest units, such as `45 s`, `3 min 12 s` or
/// `2 d 5 h`, with tenths of a second below 10 s.
pub fn format_duration(seconds: f64) -> String {
    if seconds < 9.95 {
        return format!("{:.1} s", seconds.max(0.0));
    }
    let total = seconds.max(0.0).round() as u64;
    let (days, hours, minutes, seconds) = (total / 86_400, total / 3_600 % 24, total / 60 % 60, total % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, _) => format!("{minutes} min {seconds} s"),
        (0, _, _) => format!("{hours} h {minutes} min"),
        _ => format!("{days} d {hours} h"),
    }
}

/// Formats bytes in binary units with one decimal above KiB, such as `812.0 MiB` or `1.2 GiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_align() {
        let rows = vec![vec!["gemma".to_owned(), "ready".to_owned()], vec!["a".to_owned(), "-".to_owned()]];
        assert_eq!(render_table(&["ID", "STATE"], &rows), "ID     STATE\ngemma  ready\na      -\n");
    }

    #[test]
    fn durations_use_two_units() {
        assert_eq!(format_duration(4.62), "4.6 s");
        assert_eq!(format_duration(45.4), "45 s");
        assert_eq!(format_duration(192.0), "3 min 12 s");
        assert_eq!(format_duration(7_500.0), "2 h 5 min");
        assert_eq!(format_duration(190_000.0), "2 d 4 h");
    }

    #[test]
    fn bytes_use_binary_units() {
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(851_443_712), "812.0 MiB");
        assert_eq!(format_bytes(1_288_490_189), "1.2 GiB");
    }
}
