/// RFC 4180 CSV: fields separated by commas, records by CRLF or LF; a quoted field may hold
/// commas, line breaks and doubled quotes. Blank lines are skipped. Fed one line at a time,
/// so that a file of any size is read in constant memory.
struct CSVReader {
    struct Record {
        /// The line the record starts on, counting from 1, for messages.
        var line: Int
        var fields: [String]
    }

    private var fields: [String] = []
    private var field = String.UnicodeScalarView()
    private var quoted = false
    private var recordLine = 0

    /// Reads one line (without its "\n"), numbered from 1: the record it completes, if any.
    mutating func feed(_ line: Substring, number: Int) -> Record? {
        if fields.isEmpty && field.isEmpty && !quoted { recordLine = number }
        let scalars = line.unicodeScalars
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let c = scalars[i]
            i = scalars.index(after: i)
            if quoted {
                if c == "\"" {
                    if i < scalars.endIndex, scalars[i] == "\"" {
                        field.append("\"")
                        i = scalars.index(after: i)
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
            case "\r" where i == scalars.endIndex: break
            default: field.append(c)
            }
        }
        // A line break inside quotes belongs to the field.
        if quoted {
            field.append("\n")
            return nil
        }
        return endRecord()
    }

    /// The record left open at the end of the input (an unclosed quote), if any.
    mutating func finish() -> Record? {
        quoted = false
        return fields.isEmpty && field.isEmpty ? nil : endRecord()
    }

    private mutating func endRecord() -> Record? {
        fields.append(String(field))
        defer {
            fields = []
            field = String.UnicodeScalarView()
        }
        // A blank line reads as one empty field; it is no record.
        return fields == [""] ? nil : Record(line: recordLine, fields: fields)
    }
}
