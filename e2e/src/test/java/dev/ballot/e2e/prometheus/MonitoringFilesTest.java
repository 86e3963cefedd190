package dev.ballot.e2e.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MonitoringFilesTest {
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();

  @Test
  void readsEveryPanelQueryWithGrafanasVariablesReplaced() throws Exception {
    List<MonitoringFiles.Panel> panels = MonitoringFiles.panels(REPO);
    assertThat(panels).extracting(MonitoringFiles.Panel::title).contains("Leader", "Term", "Commit latency",
        "fsync latency (p99)", "Member lag (entries)", "Elections and leader changes", "Operator reconciles");
    assertThat(panels).flatExtracting(MonitoringFiles.Panel::queries).allSatisfy(q -> assertThat(q).doesNotContain("$"));
    assertThat(MonitoringFiles.allValues("rate(x{namespace=~\"$namespace\", ballot_cluster=~\"$cluster\"}[$__rate_interval])"))
        .isEqualTo("rate(x{namespace=~\".*\", ballot_cluster=~\".*\"}[1m])");
  }

  @Test
  void readsEveryAlertOfTheRulesFile() throws Exception {
    assertThat(MonitoringFiles.alerts(REPO)).containsKeys("BallotQuorumLost", "BallotNoLeader", "BallotFsyncSlow")
        .allSatisfy((name, expr) -> assertThat(expr).isNotBlank());
  }

  /** parse_query's AST of sum(rate(a{job="x"}[5m])) > on() b{c=~"d\"e"} and a{job="x"} (its JSON shape). */
  @Test
  void findsTheDistinctSelectorsOfAParsedExpression() throws Exception {
    String ast = """
        {"type":"binaryExpr","op":"and","lhs":{"type":"binaryExpr","op":">",
          "lhs":{"type":"aggregation","op":"sum","expr":{"type":"call","func":{"name":"rate"},"args":[
            {"type":"matrixSelector","name":"a","range":300000,"matchers":[
              {"name":"job","type":"=","value":"x"},{"name":"__name__","type":"=","value":"a"}]}]}},
          "rhs":{"type":"vectorSelector","name":"b","matchers":[
            {"name":"c","type":"=~","value":"d\\"e"},{"name":"__name__","type":"=","value":"b"}]}},
         "rhs":{"type":"vectorSelector","name":"a","matchers":[
            {"name":"job","type":"=","value":"x"},{"name":"__name__","type":"=","value":"a"}]}}
        """;
    assertThat(MonitoringFiles.selectorsOf(new ObjectMapper().readTree(ast)))
        .containsExactly("{job=\"x\", __name__=\"a\"}", "{c=~\"d\\\"e\", __name__=\"b\"}");
  }
}
