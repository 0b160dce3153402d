// Optional enhancement for the Report Abuse button. Without it the link simply opens the report
// page. With it, the page opens in a separate window sized for the form, with no opener access.
(function () {
  'use strict'
  document.querySelectorAll('a[data-safeguard-report-button]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      var opened = window.open(link.href, 'safeguard-report', 'width=720,height=900')
      if (opened) {
        opened.opener = null // the report page gets no handle on the partner's page
        event.preventDefault()
      }
    })
  })
})()
