package dev.spindle.serving.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.ImagePreprocessor;
import dev.spindle.model.InputShape;
import dev.spindle.model.artifact.ModelStore;
import dev.spindle.serving.TwoClassModels;
import dev.spindle.serving.holder.GatePolicy;
import dev.spindle.serving.holder.GatingSet;
import dev.spindle.serving.holder.ModelHolder;
import dev.spindle.serving.holder.Scores;
import dev.spindle.serving.http.ServingHttpServer;
import dev.spindle.serving.stream.LabelRequestWindow;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless browser (Debian's chromium): the page's scripts fetch
 * /v1/dashboard and draw the model history, the accuracy and rotation charts, the label-request
 * queue and the recent predictions with their thumbnails.
 */
class DashboardBrowserTest {
  @TempDir Path dir;
  private ServingHttpServer http;
  private HeadlessChromium browser;
  private String url;

  @BeforeEach
  void serveADashboardWithHistory() throws Exception {
    browser = HeadlessChromium.find(dir).orElse(null);
    Assumptions.assumeTrue(browser != null, "no chromium installed (apt-get install chromium)");
    TwoClassModels models = new TwoClassModels(dir.resolve("models"));
    GatingSet gating = TwoClassModels.gatingSet(20);
    ModelHolder holder = new ModelHolder(ModelStore::load, () -> gating, GatePolicy.withMargin(0.01), Clock.systemUTC());
    holder.offer(models.good(1));
    holder.offer(models.good(2));
    holder.offer(models.inverted(3));
    Dashboard dashboard = new Dashboard(holder, Clock.systemUTC());
    ImagePreprocessor preprocessor = new ImagePreprocessor(InputShape.FASHION_MNIST);
    Random random = new Random(1);
    for (int i = 0; i < 12; i++) {
      float[] pixels = preprocessor.pixels(TwoClassModels.png(i % 2, random));
      dashboard.predicted("image-" + i, pixels,
          Scores.of(new float[] {0.9f, 0.1f}, TwoClassModels.CLASSES, 2), 2);
    }
    for (int i = 0; i < 3; i++) {
      dashboard.labelRequested(new LabelRequestWindow.Candidate("0123456789abcdef-request-" + i,
          0.69 - i / 100.0, 2, "pullover",
          preprocessor.pixels(TwoClassModels.png(i % 2, random))), 1_000);
    }
    for (double accuracy : new double[] {0.91, 0.93, 0.92, 0.95, 0.94}) {
      dashboard.rotationAccuracy(accuracy);
    }
    http = new ServingHttpServer(holder, Set.of(), 2, 1 << 20, new NoMetrics(),
        () -> Map.of("status", "UP")).withDashboard(dashboard::snapshot).start("127.0.0.1", 0);
    url = "http://127.0.0.1:" + http.port() + "/dashboard";
  }

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
  }

  @Test
  void shouldShowModelsRequestsAndPredictionsWithThumbnails() throws Exception {
    String dom = browser.dom(url, 5000);

    assertThat(dom).contains("serving model v2");
    assertThat(dom).contains("REJECTED").contains(">v3<").contains(">v1<");
    assertThat(dom).contains("0123456789abcdef...").contains(">pullover<");
    assertThat(dom.split("class=\"request\"><img src=\"data:image/png;base64,", -1))
        .as("a thumbnail for each label request").hasSize(4);
    assertThat(dom.indexOf(">0.690<")).as("the least sure first").isPositive()
        .isLessThan(dom.indexOf(">0.670<"));
    assertThat(dom.split("class=\"thumb prediction\"", -1)).hasSize(13);
    assertThat(dom).contains("src=\"data:image/png;base64,");
  }

  @Test
  void shouldDrawTheAccuracyAndRotationCharts() throws Exception {
    Path png = dir.resolve("dashboard.png");
    browser.screenshot(url, png, 5000);

    BufferedImage shot = ImageIO.read(png.toFile());
    assertThat(pixelsOf(shot, 200, 60, 40)).as("gating-accuracy line").isGreaterThan(200);
    assertThat(pixelsOf(shot, 30, 140, 70)).as("rotation-accuracy line").isGreaterThan(200);
  }

  private static int pixelsOf(BufferedImage image, int r, int g, int b) {
    int count = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        if (Math.abs((rgb >> 16 & 0xFF) - r) < 12 && Math.abs((rgb >> 8 & 0xFF) - g) < 12
            && Math.abs((rgb & 0xFF) - b) < 12) {
          count++;
        }
      }
    }
    return count;
  }

  private static final class NoMetrics implements ServingHttpServer.Observer {
    @Override
    public void predicted(String outcome, long startedNanos) {}

    @Override
    public void served(float[] pixels) {}

    @Override
    public String metrics() {
      return "";
    }
  }
}
