package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.pipeline.LongDocuments.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class LongDocumentsTest {

  @Test
  void windows_overlapAndTheLastEndsAtTheEnd() {
    assertThat(LongDocuments.windows(10, 4, 2, 16))
        .containsExactly(new Span(0, 4), new Span(2, 6), new Span(4, 8), new Span(6, 10));
    assertThat(LongDocuments.windows(11, 4, 3, 16))
        .containsExactly(new Span(0, 4), new Span(3, 7), new Span(6, 10), new Span(7, 11));
    assertThat(LongDocuments.windowCount(11, 4, 3)).isEqualTo(4);
    assertThat(LongDocuments.windowCount(10, 4, 2)).isEqualTo(4);
  }

  @Test
  void windows_shortOrEmptyDocument_isOneWindow() {
    assertThat(LongDocuments.windows(3, 4, 2, 16)).containsExactly(new Span(0, 3));
    assertThat(LongDocuments.windows(0, 4, 2, 16)).containsExactly(new Span(0, 0));
  }

  @Test
  void windows_capped_reportsUnreadTokens() {
    List<Span> spans = LongDocuments.windows(20, 4, 4, 2);
    assertThat(spans).containsExactly(new Span(0, 4), new Span(4, 8));
    assertThat(LongDocuments.window(spans, 1, 5, 20).droppedTokens()).isEqualTo(12);
    assertThat(LongDocuments.window(List.of(new Span(0, 4)), 0, 5, 20).droppedTokens())
        .isEqualTo(16);
  }

  @Test
  void windows_badStride_isRejected() {
    assertThatThrownBy(() -> LongDocuments.windows(10, 4, 5, 16))
        .hasMessage("stride must be in [1, 4] (the window width), got 5");
    assertThatThrownBy(() -> LongDocuments.Strategy.parse("middle"))
        .hasMessageContaining("truncate, first, maxp; got 'middle'");
  }

  @Test
  void queryKept_keepsTheQueryUnlessItCrowdsOutTheDocument() {
    assertThat(LongDocuments.queryKept(20, 32, 3)).isEqualTo(20);
    assertThat(LongDocuments.queryKept(40, 32, 3)).isEqualTo(21);
  }
}
