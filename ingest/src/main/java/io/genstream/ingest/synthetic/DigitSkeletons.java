package io.genstream.ingest.synthetic;

import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;

/**
 * Pen paths of the ten digits in a unit box (x to the right, y down), drawn with a round pen:
 * a font-free glyph set that looks more like handwriting than type.
 */
final class DigitSkeletons {

  private static final Shape[] SKELETONS = {
    zero(), one(), two(), three(), four(), five(), six(), seven(), eight(), nine()
  };

  private DigitSkeletons() {}

  static Shape skeleton(int digit) {
    return SKELETONS[digit];
  }

  private static Shape zero() {
    return new Ellipse2D.Double(0.05, 0.05, 0.5, 0.9);
  }

  private static Shape one() {
    Path2D.Double p = new Path2D.Double();
    p.moveTo(0.15, 0.28);
    p.lineTo(0.35, 0.05);
    p.lineTo(0.35, 0.95);
    return p;
  }

  private static Shape two() {
    Path2D.Double p = new Path2D.Double();
    p.moveTo(0.08, 0.28);
    p.curveTo(0.12, 0.0, 0.58, 0.0, 0.55, 0.3);
    p.curveTo(0.52, 0.5, 0.2, 0.7, 0.06, 0.95);
    p.lineTo(0.62, 0.95);
    return p;
  }

  private static Shape three() {
    Path2D.Double p = new Path2D.Double();
    p.moveTo(0.08, 0.15);
    p.curveTo(0.45, -0.05, 0.7, 0.38, 0.28, 0.48);
    p.curveTo(0.75, 0.52, 0.62, 1.08, 0.06, 0.87);
    return p;
  }

  private static Shape four() {
    Path2D.Double p = new Path2D.Double();
    p.moveTo(0.45, 0.95);
    p.lineTo(0.45, 0.05);
    p.lineTo(0.04, 0.66);
    p.lineTo(0.62, 0.66);
    return p;
  }

  private static Shape five() {
    Path2D.Double p = new Path2D.Double();
    p.moveTo(0.56, 0.06);
    p.lineTo(0.16, 0.06);
    p.lineTo(0.12, 0.46);
    p.curveTo(0.55, 0.28, 0.72, 0.72, 0.45, 0.9);
    p.quadTo(0.25, 1.0, 0.06, 0.84);
    return p;
  }

  private static Shape six() {
    Path2D.Double p = new Path2D.Double();
    p.moveTo(0.52, 0.05);
    p.curveTo(0.22, 0.18, 0.08, 0.48, 0.1, 0.72);
    p.append(new Ellipse2D.Double(0.08, 0.5, 0.46, 0.45), false);
    return p;
  }

  private static Shape seven() {
    Path2D.Double p = new Path2D.Double();
    p.moveTo(0.04, 0.07);
    p.lineTo(0.6, 0.07);
    p.lineTo(0.24, 0.95);
    return p;
  }

  private static Shape eight() {
    Path2D.Double p = new Path2D.Double();
    p.append(new Ellipse2D.Double(0.13, 0.05, 0.36, 0.42), false);
    p.append(new Ellipse2D.Double(0.08, 0.47, 0.46, 0.48), false);
    return p;
  }

  private static Shape nine() {
    Path2D.Double p = new Path2D.Double();
    p.append(new Ellipse2D.Double(0.08, 0.05, 0.46, 0.44), false);
    p.moveTo(0.54, 0.27);
    p.curveTo(0.56, 0.6, 0.5, 0.8, 0.38, 0.95);
    return p;
  }
}
