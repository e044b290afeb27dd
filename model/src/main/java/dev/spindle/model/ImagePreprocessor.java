package dev.spindle.model;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Image bytes to model input: decode, convert to the configured channels, resize to the
 * configured height x width (bilinear), scale to float32 in [0,1], channel-major (CHW). The
 * one implementation that trainer and serving share, so both see the same numbers.
 *
 * <p>A JPEG with an EXIF orientation tag is turned upright first, as a photo viewer shows
 * it. Transparent pixels are composited onto black. A grey image that already has the input
 * size is read directly (no resampling), so Fashion-MNIST pixels are exactly {@code v/255}.
 */
public final class ImagePreprocessor {
  private final InputShape shape;

  public ImagePreprocessor(InputShape shape) {
    this.shape = shape;
  }

  public InputShape shape() {
    return shape;
  }

  /** Decodes {@code encoded} into a new CHW float array of {@link InputShape#size()}. */
  public float[] pixels(byte[] encoded) throws UndecodableImageException {
    float[] out = new float[shape.size()];
    pixelsInto(encoded, out, 0);
    return out;
  }

  /** Decodes {@code encoded} into {@code dest} starting at {@code offset}. */
  public void pixelsInto(byte[] encoded, float[] dest, int offset)
      throws UndecodableImageException {
    BufferedImage image = decode(encoded);
    // photos stored sideways carry an EXIF tag saying how to turn them; ImageIO ignores it
    BufferedImage sized = fitted(image, ExifOrientation.of(encoded));
    Raster raster = sized.getRaster();
    int h = shape.height();
    int w = shape.width();
    int plane = h * w;
    int[] row = new int[w * raster.getNumBands()];
    for (int y = 0; y < h; y++) {
      raster.getPixels(0, y, w, 1, row);
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < shape.channels(); c++) {
          dest[offset + c * plane + y * w + x] = row[x * raster.getNumBands() + c] / 255f;
        }
      }
    }
  }

  private static BufferedImage decode(byte[] encoded) throws UndecodableImageException {
    if (encoded == null || encoded.length == 0) {
      throw new UndecodableImageException("image is empty (0 bytes)");
    }
    // in memory: ImageIO.read(InputStream) would cache each image in a temp file (this
    // ImageIO.read closes the stream it is given; a memory stream holds nothing else)
    try {
      BufferedImage image = ImageIO.read(
          new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded)));
      if (image == null) {
        throw new UndecodableImageException(
            "not a PNG or JPEG image (" + encoded.length + " bytes)");
      }
      return image;
    } catch (IOException | RuntimeException e) {
      throw new UndecodableImageException("image could not be decoded: " + e.getMessage(), e);
    }
  }

  /**
   * The image turned upright for its EXIF {@code orientation}, as 8-bit grey or RGB at the
   * input size; the same object when it already is.
   */
  private BufferedImage fitted(BufferedImage image, int orientation) {
    int type = shape.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR;
    boolean upright = orientation == ExifOrientation.UPRIGHT;
    boolean rightSize = image.getWidth() == shape.width() && image.getHeight() == shape.height();
    if (upright && rightSize && shape.channels() == 1
        && image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      return image;
    }
    BufferedImage target = new BufferedImage(shape.width(), shape.height(), type);
    Graphics2D g = target.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
          RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      if (upright) {
        g.drawImage(image, 0, 0, shape.width(), shape.height(), Color.BLACK, null);
      } else {
        // turned and resized in one pass; the new target is black, as the background above
        boolean swaps = ExifOrientation.swapsSides(orientation);
        AffineTransform toTarget = AffineTransform.getScaleInstance(
            (double) shape.width() / (swaps ? image.getHeight() : image.getWidth()),
            (double) shape.height() / (swaps ? image.getWidth() : image.getHeight()));
        toTarget.concatenate(ExifOrientation.toUpright(
            orientation, image.getWidth(), image.getHeight()));
        g.drawImage(image, toTarget, null);
      }
    } finally {
      g.dispose();
    }
    // TYPE_3BYTE_BGR stores bytes as B,G,R, but its raster's bands read R,G,B.
    return target;
  }
}
