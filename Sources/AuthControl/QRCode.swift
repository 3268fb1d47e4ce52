import CQRencode

/// A QR code drawn in a terminal with libqrencode, two modules to a line (Unicode half
/// blocks): light modules are drawn, dark ones left blank, as `qrencode -t UTF8` does,
/// for the usual light-on-dark terminal; with the quiet zone of four modules scanners need.
enum QRCode {
    static func text(for payload: String, quietZone: Int = 4) -> String? {
        guard let code = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let data = code.pointee.data!
        let size = width + 2 * quietZone
        // Bit 0 of each byte is the module's colour: 1 dark.
        func dark(_ x: Int, _ y: Int) -> Bool {
            let (mx, my) = (x - quietZone, y - quietZone)
            guard mx >= 0, my >= 0, mx < width, my < width else { return false }
            return data[my * width + mx] & 1 == 1
        }
        var lines: [String] = []
        for y in stride(from: 0, to: size, by: 2) {
            var line = ""
            for x in 0..<size {
                switch (!dark(x, y), y + 1 < size ? !dark(x, y + 1) : false) {
                case (true, true): line += "█"
                case (true, false): line += "▀"
                case (false, true): line += "▄"
                case (false, false): line += " "
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
