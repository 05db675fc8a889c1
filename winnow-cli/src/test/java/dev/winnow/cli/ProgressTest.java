package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void disabled_writesNothing_enabled_drawsLabelAndCount() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Progress p = Progress.start("x", 10, new PrintStream(bytes), false)) {
      p.update(5);
      p.update(10);
    }
    assertThat(bytes.size()).isZero();
    try (Progress p = Progress.start("embedding", 4, new PrintStream(bytes), true)) {
      p.update(3);
      p.step();
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("embedding").contains("4/4");
  }

  @Test
  void isTerminalDevice_ttysYes_filesAndPipesNo() {
    assertThat(Progress.isTerminalDevice("/dev/pts/3")).isTrue();
    assertThat(Progress.isTerminalDevice("/dev/tty1")).isTrue();
    assertThat(Progress.isTerminalDevice("/dev/console")).isTrue();
    assertThat(Progress.isTerminalDevice("/tmp/out.log")).isFalse();
    assertThat(Progress.isTerminalDevice("pipe:[12345]")).isFalse();
    assertThat(Progress.isTerminalDevice("/dev/null")).isFalse();
  }

  @Test
  void stderrIsTerminal_underSurefire_isFalse() {
    // Surefire's forked JVM writes stderr into a pipe to the plugin: never a terminal.
    assertThat(Progress.stderrIsTerminal()).isFalse();
  }
}
