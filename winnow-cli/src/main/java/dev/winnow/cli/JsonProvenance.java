package dev.winnow.cli;

import dev.winnow.api.Provenance;
import dev.winnow.api.SourceRank;
import dev.winnow.api.StageScore;
import dev.winnow.api.TokenMatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Provenance as plain maps for JSON output, with snake_case keys and no Optional wrappers. */
final class JsonProvenance {

  private JsonProvenance() {}

  static Map<String, Object> of(Provenance p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("retriever", p.retriever());
    m.put("first_stage_rank", p.firstStageRank());
    m.put("first_stage_score", p.firstStageScore());
    if (p.fusedScore().isPresent()) {
      m.put("fused_score", p.fusedScore().getAsDouble());
    }
    if (!p.sources().isEmpty()) {
      List<Object> sources = new ArrayList<>();
      for (SourceRank s : p.sources()) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("retriever", s.retriever());
        x.put("rank", s.rank());
        x.put("score", s.score());
        sources.add(x);
      }
      m.put("sources", sources);
    }
    List<Object> stages = new ArrayList<>();
    for (StageScore st : p.stages()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("stage", st.stage());
      x.put("raw", st.raw());
      x.put("activation", st.activation().label());
      x.put("score", st.score());
      st.window()
          .ifPresent(
              w -> {
                Map<String, Object> win = new LinkedHashMap<>();
                win.put("index", w.index());
                win.put("count", w.count());
                win.put("start_token", w.startToken());
                win.put("end_token", w.endToken());
                win.put("dropped_tokens", w.droppedTokens());
                x.put("window", win);
              });
      x.put("cached", st.cached());
      st.fusion()
          .ifPresent(
              f -> {
                Map<String, Object> fu = new LinkedHashMap<>();
                fu.put("method", f.method().label());
                fu.put("weight", f.weight());
                fu.put("earlier_score", f.earlierScore());
                fu.put("earlier_normalized", f.earlierNormalized());
                fu.put("stage_score", f.stageScore());
                fu.put("stage_normalized", f.stageNormalized());
                fu.put("score", f.score());
                x.put("fusion", fu);
              });
      st.lateInteraction()
          .ifPresent(
              li -> {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("document_vectors", li.vectorsLabel());
                List<Object> matches = new ArrayList<>();
                for (TokenMatch tm : li.matches()) {
                  Map<String, Object> mm = new LinkedHashMap<>();
                  mm.put("query_token", tm.queryToken());
                  mm.put("query_text", tm.queryText());
                  mm.put("document_token", tm.documentToken());
                  mm.put("document_text", tm.documentText());
                  mm.put("similarity", tm.similarity());
                  matches.add(mm);
                }
                l.put("matches", matches);
                x.put("late_interaction", l);
              });
      stages.add(x);
    }
    m.put("stages", stages);
    return m;
  }
}
