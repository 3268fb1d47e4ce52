/// RFC 4180 CSV: fields separated by commas, records by CRLF or LF; a quoted field may hold
/// commas, line breaks and doubled quotes. Blank lines are skipped.
enum CSVReader {
    struct Record {
        /// The line the record starts on, counting from 1, for messages.
        var line: Int
        var fields: [String]
    }

    static func records(_ text: String) -> [Record] {
        // Unicode scalars, not Characters: "\r\n" is a single Character in Swift.
        let scalars = Array(text.unicodeScalars)
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var line = 1
        var recordLine = 1
        var i = 0

        func endRecord() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            // A blank line reads as one empty field; it is no record.
            if fields != [""] { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
        }

        while i < scalars.count {
            let c = scalars[i]
            i += 1
            if c == "\n" { line += 1 }
            if quoted {
                if c == "\"" {
                    if i < scalars.count, scalars[i] == "\"" {
                        field.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty:
                quoted = true
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
            case "\r" where i == scalars.count || scalars[i] == "\n":
                break
            case "\n":
                endRecord()
                recordLine = line
            default:
                field.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
