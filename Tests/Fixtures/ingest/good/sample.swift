import Foundation

/// SWIFTSTRUCT holds a point.
struct Point {
    var x: Double
    var y: Double
}

func swiftDistance(_ a: Point, _ b: Point) -> Double {
    let dx = a.x - b.x
    let dy = a.y - b.y
    return (dx * dx + dy * dy).squareRoot()
}
