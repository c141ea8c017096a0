import Foundation

/// Draws quality/cost curves as a small standalone SVG: x = cost relative to always-largest, y = quality relative
/// to always-largest, one polyline per series and one labelled dot per fixed policy.
public enum CurvePlot {
    public struct Series: Sendable {
        public var name: String
        public var points: [(cost: Double, quality: Double)]
        public var color: String

        public init(name: String, points: [(cost: Double, quality: Double)], color: String) {
            self.name = name
            self.points = points
            self.color = color
        }
    }

    public static func svg(title: String, series: [Series], marks: [PolicyResult]) -> String {
        let width = 640.0, height = 420.0, left = 60.0, right = 20.0, top = 36.0, bottom = 50.0
        let allQ = series.flatMap { $0.points.map(\.quality) } + marks.map(\.relativeQuality)
        let yMin = max(0, ((allQ.min() ?? 0) * 10).rounded(.down) / 10), yMax = max(1.1, ((allQ.max() ?? 1) * 10).rounded(.up) / 10)
        let xMax = max(1.05, (series.flatMap { $0.points.map(\.cost) } + marks.map(\.relativeCost)).max() ?? 1)
        func x(_ c: Double) -> Double { left + c / xMax * (width - left - right) }
        func y(_ q: Double) -> Double { top + (yMax - q) / (yMax - yMin) * (height - top - bottom) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="20" font-size="13">\(esc(title))</text>
        <line x1="\(left)" y1="\(y(yMin))" x2="\(width - right)" y2="\(y(yMin))" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(y(yMin))" stroke="black"/>
        <text x="\((left + width - right) / 2 - 80)" y="\(height - 12)">cost relative to always-largest</text>
        <text transform="translate(16 \((top + height - bottom) / 2 + 90)) rotate(-90)">quality relative to always-largest</text>

        """
        for tick in stride(from: 0.0, through: xMax + 1e-9, by: 0.2) {
            out += "<text x=\"\(x(tick) - 8)\" y=\"\(y(yMin) + 16)\">\(String(format: "%.1f", tick))</text>\n"
        }
        for tick in stride(from: yMin, through: yMax + 1e-9, by: 0.1) {
            out += "<line x1=\"\(left)\" y1=\"\(y(tick))\" x2=\"\(width - right)\" y2=\"\(y(tick))\" stroke=\"#ddd\"/>"
            out += "<text x=\"\(left - 34)\" y=\"\(y(tick) + 4)\">\(String(format: "%.1f", tick))</text>\n"
        }
        out += "<line x1=\"\(left)\" y1=\"\(y(0.95))\" x2=\"\(width - right)\" y2=\"\(y(0.95))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>"
        out += "<line x1=\"\(x(0.5))\" y1=\"\(top)\" x2=\"\(x(0.5))\" y2=\"\(y(yMin))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n"
        for (k, s) in series.enumerated() {
            let sorted = s.points.sorted { $0.cost < $1.cost }
            let path = sorted.map { String(format: "%.1f,%.1f", x($0.cost), y($0.quality)) }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            out += "<text x=\"\(width - right - 170)\" y=\"\(top + 14 + Double(k) * 14)\" fill=\"\(s.color)\">\(esc(s.name))</text>\n"
        }
        for m in marks {
            out += "<circle cx=\"\(x(m.relativeCost))\" cy=\"\(y(m.relativeQuality))\" r=\"4\" fill=\"black\"/>"
            out += "<text x=\"\(x(m.relativeCost) + 6)\" y=\"\(y(m.relativeQuality) - 6)\">\(esc(m.name))</text>\n"
        }
        return out + "</svg>\n"
    }
}
